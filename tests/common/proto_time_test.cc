// google.protobuf.Timestamp <-> absl::Time (issue 23): exact to the
// nanosecond both ways, before the epoch too, and the same as protobuf's own
// TimeUtil where that one is exact.

#include "common/proto_time.h"

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace vouchstream::common {
namespace {

using ::google::protobuf::Timestamp;
using ::google::protobuf::util::TimeUtil;

Timestamp Make(int64_t seconds, int32_t nanos) {
  Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(nanos);
  return timestamp;
}

TEST(ProtoTimeTest, ConvertsBothWaysToTheNanosecond) {
  const std::vector<Timestamp> cases = {
      Make(0, 0),
      Make(1, 1),
      Make(1700000000, 123456789),
      Make(-1, 999999999),    // 1969-12-31T23:59:59.999999999Z
      Make(-62135596800, 0),  // 0001-01-01T00:00:00Z, Timestamp's minimum
      Make(253402300799, 999999999),  // 9999-12-31T23:59:59.999999999Z
  };
  for (const Timestamp& timestamp : cases) {
    SCOPED_TRACE(TimeUtil::ToString(timestamp));
    const absl::Time time = ToAbslTime(timestamp);
    EXPECT_EQ(
        absl::FormatTime("%E4Y-%m-%d%ET%H:%M:%E*SZ", time, absl::UTCTimeZone()),
        TimeUtil::ToString(timestamp));
    const Timestamp back = ToProtoTimestamp(time);
    EXPECT_EQ(back.seconds(), timestamp.seconds());
    EXPECT_EQ(back.nanos(), timestamp.nanos());
  }
}

TEST(ProtoTimeTest, NanosStayInRangeBeforeTheEpoch) {
  // Half a second before the epoch: seconds round down, nanos stay positive.
  const Timestamp timestamp =
      ToProtoTimestamp(absl::UnixEpoch() - absl::Milliseconds(500));
  EXPECT_EQ(timestamp.seconds(), -1);
  EXPECT_EQ(timestamp.nanos(), 500000000);
}

TEST(ProtoTimeTest, AgreesWithTimeUtilOnMicroseconds) {
  const absl::Time time = absl::FromUnixMicros(1700000000123456);
  EXPECT_EQ(ToProtoTimestamp(time),
            TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time)));
  EXPECT_EQ(absl::ToUnixMicros(ToAbslTime(
                TimeUtil::MicrosecondsToTimestamp(1700000000123456))),
            1700000000123456);
}

}  // namespace
}  // namespace vouchstream::common

#include "common/proto_time.h"

#include <ctime>

namespace vouchstream::common {

absl::Time ToAbslTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

google::protobuf::Timestamp ToProtoTimestamp(absl::Time time) {
  // absl's timespec is already normalized the way Timestamp is: tv_sec
  // rounded down, 0 <= tv_nsec < 1e9.
  const timespec spec = absl::ToTimespec(time);
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(spec.tv_sec);
  timestamp.set_nanos(static_cast<int32_t>(spec.tv_nsec));
  return timestamp;
}

}  // namespace vouchstream::common

// Log fields: JSON quoting, and no email address in any line.

#include "common/json_log.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace vouchstream::common {
namespace {

TEST(JsonLogTest, QuotesStrings) {
  EXPECT_EQ(LogField("k", "a\"b\\c\n").json(), R"("a\"b\\c\n")");
  EXPECT_EQ(LogField("k", 42).json(), "42");
}

TEST(JsonLogTest, MasksEmailsInValuesAndStatusMessages) {
  EXPECT_EQ(LogField("id", "jack.secret@example.com").json(), R"("<email>")");
  EXPECT_EQ(
      LogField("status", absl::InvalidArgumentError(
                             "id: \"jack@example.com\" is not an id"))
          .json(),
      R"({"code":"INVALID_ARGUMENT","error":"id: \"<email>\" is not an id"})");
  EXPECT_EQ(MaskEmails("nats://user:pw@10.0.0.1:4222 and a@b"),
            "nats://<email> and <email>");
  EXPECT_EQ(MaskEmails("evpub_1 publication.succeeded"),
            "evpub_1 publication.succeeded");
}

}  // namespace
}  // namespace vouchstream::common

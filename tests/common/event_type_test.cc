// The event type rule shared by the gateway and the server.

#include "common/event_type.h"

#include <string>

#include "gtest/gtest.h"

namespace vouchstream::common {
namespace {

TEST(EventTypeTest, AcceptsDotSeparatedWordsOnly) {
  const struct {
    std::string type;
    bool valid;
  } cases[] = {
      {"publication.succeeded", true},
      {"customer.rewarded.loyalty_points", true},
      {"voucher-x.a_b.0", true},
      {"a", true},
      {std::string(kMaxEventTypeLength, 'a'), true},
      {std::string(kMaxEventTypeLength + 1, 'a'), false},
      {"", false},
      {".a", false},
      {"a.", false},
      {"a..b", false},
      {"../../etc/passwd", false},
      {"Publication.Succeeded", false},
      {"a b", false},
      {"a/b", false},
      {"a*", false},
      {"a>b", false},
      {std::string("a\0b", 3), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.type);
    EXPECT_EQ(IsValidEventType(c.type), c.valid);
  }
}

}  // namespace
}  // namespace vouchstream::common

#include "gateway/webhook/source_allow_list.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::gateway {
namespace {

namespace ip = boost::asio::ip;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

struct MatchCase {
  const char* list;
  const char* address;
  bool allowed;
};

TEST(SourceAllowListTest, MatchesAddressesAgainstNetworks) {
  static const MatchCase kCases[] = {
      {"", "192.0.2.1", true},  // Empty: everyone.
      {"", "2001:db8::1", true},
      {"10.0.0.0/8", "10.255.1.2", true},
      {"10.0.0.0/8", "11.0.0.1", false},
      {"10.0.0.0/8", "127.0.0.1", false},
      {"127.0.0.0/8", "127.0.0.1", true},
      {"203.0.113.0/24", "203.0.113.255", true},
      {"203.0.113.0/24", "203.0.114.0", false},
      {"203.0.113.7", "203.0.113.7", true},  // A bare address is a /32.
      {"203.0.113.7", "203.0.113.8", false},
      {"203.0.113.7/32", "203.0.113.7", true},
      {"0.0.0.0/0", "198.51.100.9", true},
      {"0.0.0.0/0", "2001:db8::1", false},  // IPv4 networks match IPv4 only.
      {"2001:db8::/32", "2001:db8:ffff::1", true},
      {"2001:db8::/32", "2001:db9::1", false},
      {"2001:db8::/32", "192.0.2.1", false},
      {"::1", "::1", true},
      {"::1/128", "::2", false},
      {"::/0", "2001:db8::1", true},
      // IPv4-mapped IPv6 peers (dual-stack sockets) match IPv4 networks.
      {"192.0.2.0/24", "::ffff:192.0.2.10", true},
      {"192.0.2.0/24", "::ffff:198.51.100.10", false},
      {" 10.0.0.0/8 , 192.0.2.0/24 ,2001:db8::/32", "192.0.2.1", true},
      {"10.0.0.0/8,,192.0.2.0/24", "10.1.1.1", true},
  };
  for (const MatchCase& test : kCases) {
    SCOPED_TRACE(std::string(test.list) + " vs " + test.address);
    absl::StatusOr<SourceAllowList> list = SourceAllowList::Parse(test.list);
    ASSERT_THAT(list, IsOk());
    EXPECT_EQ(list->Allows(ip::make_address(test.address)), test.allowed);
  }
}

TEST(SourceAllowListTest, RefusesMalformedEntries) {
  static const char* const kBad[] = {
      "10.0.0.0/33",    "10.0.0/8",       "10.0.0.0/",     "example.com",
      "10.0.0.0/8,x",   "2001:db8::/129", "2001:zz8::/32", "/8",
      "10.1.2.3/8",  // Host bits set: refused, not guessed.
      "2001:db8::1/32",
  };
  for (const char* bad : kBad) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(SourceAllowList::Parse(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         ::testing::HasSubstr("--allow-from")));
  }
}

TEST(SourceAllowListTest, EmptyAllowsEveryoneAndPrintsNetworks) {
  EXPECT_TRUE(SourceAllowList().empty());
  EXPECT_TRUE(SourceAllowList().Allows(ip::make_address("192.0.2.1")));
  absl::StatusOr<SourceAllowList> list =
      SourceAllowList::Parse("2001:db8::/32,10.0.0.0/8,192.0.2.1");
  ASSERT_THAT(list, IsOk());
  EXPECT_FALSE(list->empty());
  EXPECT_EQ(list->ToString(), "10.0.0.0/8,192.0.2.1/32,2001:db8::/32");
}

}  // namespace
}  // namespace vouchstream::gateway

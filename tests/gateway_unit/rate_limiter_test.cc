#include "gateway/webhook/rate_limiter.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace vouchstream::gateway {
namespace {

// A clock the test moves by hand.
struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  std::function<absl::Time()> Fn() {
    return [this] { return now; };
  }
};

RateLimiter::Options Limits(FakeClock& clock, double rate, int burst,
                            size_t max_sources = 10000) {
  RateLimiter::Options options;
  options.rate = rate;
  options.burst = burst;
  options.max_sources = max_sources;
  options.clock = clock.Fn();
  return options;
}

TEST(RateLimiterTest, KeysIpv4ByAddressAndIpv6ByItsSlash64) {
  namespace ip = boost::asio::ip;
  EXPECT_EQ(RateLimitKey(ip::make_address("192.0.2.7")), "192.0.2.7");
  EXPECT_EQ(RateLimitKey(ip::make_address("::ffff:192.0.2.7")), "192.0.2.7");
  EXPECT_EQ(RateLimitKey(ip::make_address("2001:db8:1:2:aaaa::1")),
            "2001:db8:1:2::/64");
  EXPECT_EQ(RateLimitKey(ip::make_address("2001:db8:1:2:ffff::9")),
            RateLimitKey(ip::make_address("2001:db8:1:2::1")));
  EXPECT_NE(RateLimitKey(ip::make_address("2001:db8:1:3::1")),
            RateLimitKey(ip::make_address("2001:db8:1:2::1")));
}

TEST(RateLimiterTest, OffAllowsEverythingAndTracksNothing) {
  FakeClock clock;
  RateLimiter limiter(Limits(clock, 0, 1));
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(limiter.Admit("192.0.2.1").allowed);
  }
  EXPECT_EQ(limiter.tracked_sources(), 0u);
}

TEST(RateLimiterTest, BurstThenRefusesWithRetryAfterUntilRefilled) {
  FakeClock clock;
  RateLimiter limiter(Limits(clock, 2, 5));  // 2/s, burst 5.
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Admit("192.0.2.1").allowed) << i;
  }
  RateLimiter::Decision refused = limiter.Admit("192.0.2.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, absl::Milliseconds(500));  // One token.
  // Another source has its own bucket.
  EXPECT_TRUE(limiter.Admit("192.0.2.2").allowed);

  clock.now += absl::Milliseconds(200);  // 0.4 token.
  refused = limiter.Admit("192.0.2.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, absl::Milliseconds(300));
  clock.now += absl::Milliseconds(300);  // 1 token.
  EXPECT_TRUE(limiter.Admit("192.0.2.1").allowed);
  EXPECT_FALSE(limiter.Admit("192.0.2.1").allowed);

  // Refills to the burst, not beyond.
  clock.now += absl::Hours(1);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Admit("192.0.2.1").allowed) << i;
  }
  EXPECT_FALSE(limiter.Admit("192.0.2.1").allowed);
}

TEST(RateLimiterTest, SteadyRateIsAdmittedExactly) {
  FakeClock clock;
  RateLimiter limiter(Limits(clock, 10, 1));
  int allowed = 0;
  // 100 requests/s for 10 s against 10/s: 100 allowed (+1 for the burst).
  for (int i = 0; i < 1000; ++i) {
    allowed += limiter.Admit("192.0.2.1").allowed ? 1 : 0;
    clock.now += absl::Milliseconds(10);
  }
  EXPECT_GE(allowed, 100);
  EXPECT_LE(allowed, 101);
}

TEST(RateLimiterTest, TableStaysBoundedUnderManySources) {
  FakeClock clock;
  constexpr size_t kMax = 100;
  RateLimiter limiter(Limits(clock, 1, 2, kMax));
  // 10,000 distinct sources, all active (none refills within the run).
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(limiter.Admit(absl::StrCat("src-", i)).allowed);
    ASSERT_LE(limiter.tracked_sources(), kMax) << i;
    clock.now += absl::Microseconds(1);
  }
  EXPECT_EQ(limiter.tracked_sources(), kMax);
}

TEST(RateLimiterTest, EvictsIdleSourcesFirstAndKeepsActiveOnes) {
  FakeClock clock;
  RateLimiter limiter(Limits(clock, 1, 2, 3));
  // "active" spends its burst; two others come and go idle.
  EXPECT_TRUE(limiter.Admit("active").allowed);
  EXPECT_TRUE(limiter.Admit("active").allowed);
  EXPECT_TRUE(limiter.Admit("idle-1").allowed);
  EXPECT_TRUE(limiter.Admit("idle-2").allowed);
  EXPECT_EQ(limiter.tracked_sources(), 3u);
  // After 1.5 s the idle ones (1 token used) are full again; "active"
  // (2 used) is not, so a new source evicts the idle ones only.
  clock.now += absl::Milliseconds(1500);
  EXPECT_TRUE(limiter.Admit("new").allowed);
  EXPECT_EQ(limiter.tracked_sources(), 2u);
  // "active" kept its state: 1.5 tokens back, so one more, then refused.
  EXPECT_TRUE(limiter.Admit("active").allowed);
  EXPECT_FALSE(limiter.Admit("active").allowed);
}

TEST(RateLimiterTest, FullTableOfActiveSourcesEvictsTheOneClosestToFull) {
  FakeClock clock;
  RateLimiter limiter(Limits(clock, 1, 1, 2));
  EXPECT_TRUE(limiter.Admit("a").allowed);
  clock.now += absl::Milliseconds(10);
  EXPECT_TRUE(limiter.Admit("b").allowed);
  clock.now += absl::Milliseconds(10);
  EXPECT_TRUE(limiter.Admit("c").allowed);  // Evicts "a" (closest to full).
  EXPECT_EQ(limiter.tracked_sources(), 2u);
  EXPECT_FALSE(limiter.Admit("b").allowed);  // Still tracked, still empty.
  EXPECT_TRUE(limiter.Admit("a").allowed);   // Forgotten: a fresh bucket.
}

}  // namespace
}  // namespace vouchstream::gateway

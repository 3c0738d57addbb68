// Fault (c): the gateway's upstream (the service) goes away for 10 s under
// load, either hung (SIGSTOP: connections stay open, nothing answers) or
// dead (SIGKILL, then a restart on the same port and store). The gateway
// must answer 503 with Retry-After meanwhile, stay bounded in memory, and
// recover by itself; every webhook it acknowledged must be in the log.

#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/faults/log_audit.h"
#include "tests/testing/deployment.h"
#include "tests/testing/proc_status.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {
namespace {

constexpr absl::Duration kOutage = absl::Seconds(10);
constexpr int kConnections = 32;
// 2xx wanted before the outage and again after it.
constexpr uint64_t kOkBefore = 200;
constexpr uint64_t kOkAfter = 200;
// The gateway's RSS may grow by at most this much during the outage. What
// it must hold is bounded by the load: at most one request per connection
// in flight (32 × ~2.7 KB body + ~10 KB typed event), plus, for a hung
// upstream, the events queued on the open streams until the service
// answers again (one per connection per publish deadline: 32 × 5 rounds).
// Both are under 5 MiB; 32 MiB leaves room for allocator slack and gRPC's
// own buffers, while a gateway that kept every refused request (thousands
// per second against a dead upstream) would pass it within the outage.
constexpr int64_t kMaxGrowthKib = 32 * 1024;
constexpr absl::Duration kPhaseTimeout = absl::Seconds(60);

enum class Outage { kHung, kDead };

class UpstreamOutageTest : public ::testing::TestWithParam<Outage> {};

TEST_P(UpstreamOutageTest, GatewayAnswers503StaysBoundedAndRecovers) {
  const bool hung = GetParam() == Outage::kHung;
  Deployment::Options options;
  options.gateways = 1;
  options.gateway_args = {"--publish-deadline=2s"};
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;

  WebhookLoad::Options load_options =
      d.LoadOptions(hung ? "pub_hung_" : "pub_dead_");
  load_options.connections = kConnections;
  // Bounds the 503 rate against a dead upstream to some 6,000 a second.
  load_options.pause = absl::Milliseconds(5);
  WebhookLoad load(load_options);
  ASSERT_TRUE(load.WaitUntil(
      [](const WebhookLoad::Counts& c) { return c.ok >= kOkBefore; },
      kPhaseTimeout));
  auto baseline = RssKib(d.gateway().pid());
  ASSERT_THAT(baseline, IsOk());

  const WebhookLoad::Counts before = load.counts();
  if (hung) {
    ASSERT_EQ(kill(d.server().pid(), SIGSTOP), 0);
  } else {
    ASSERT_THAT(d.KillServer(), IsOk());
  }
  // The outage lasts kOutage by definition; meanwhile sample the
  // gateway's memory.
  int64_t peak = *baseline;
  const absl::Time outage_end = absl::Now() + kOutage;
  while (absl::Now() < outage_end) {
    auto rss = RssKib(d.gateway().pid());
    ASSERT_THAT(rss, IsOk());
    peak = std::max(peak, *rss);
    absl::SleepFor(absl::Milliseconds(100));
  }
  const WebhookLoad::Counts during = load.counts();
  if (hung) {
    ASSERT_EQ(kill(d.server().pid(), SIGCONT), 0);
  } else {
    ASSERT_THAT(d.RestartServer(), IsOk());
  }
  // Every connection was refused at least once per publish deadline.
  EXPECT_GE(during.unavailable - before.unavailable, kConnections * 4U);

  ASSERT_TRUE(load.WaitUntil(
      [&](const WebhookLoad::Counts& c) {
        return c.ok >= during.ok + kOkAfter;
      },
      kPhaseTimeout))
      << "the gateway did not recover";
  const absl::Time recovered = absl::Now();
  load.Stop();
  const WebhookLoad::Counts total = load.counts();
  EXPECT_EQ(total.other + total.failed, 0U);
  size_t without_retry_after = 0;
  for (const WebhookLoad::Request& request : load.requests()) {
    if (request.http_status == 503 && request.retry_after.empty()) {
      ++without_retry_after;
    }
  }
  EXPECT_EQ(without_retry_after, 0U);
  EXPECT_LT(peak - *baseline, kMaxGrowthKib)
      << "baseline " << *baseline << " KiB, peak " << peak << " KiB";

  auto stub = d.NewStub();
  auto log = ReadWholeLog(*stub);
  ASSERT_THAT(log, IsOk());
  const LogAudit audit = AuditLog(load.requests(), *log);
  EXPECT_EQ(audit.acknowledged_stored, audit.acknowledged) << audit.Summary();
  EXPECT_EQ(audit.duplicate_ids, 0U);
  EXPECT_TRUE(audit.dense) << audit.Summary();

  std::cout << "[fault c] upstream "
            << (hung ? "hung (SIGSTOP)" : "dead (SIGKILL)") << " for "
            << absl::FormatDuration(kOutage) << " under " << kConnections
            << " connections of load: "
            << during.unavailable - before.unavailable
            << " webhooks answered 503 with Retry-After during the outage, "
            << during.ok - before.ok << " 2xx, 0 other answers; gateway RSS "
            << *baseline << " KiB before, peak " << peak << " KiB (+"
            << peak - *baseline << " KiB, bound " << kMaxGrowthKib
            << "); it recovered by itself (" << kOkAfter << " more 2xx) within "
            << absl::FormatDuration(
                   absl::Trunc(recovered - outage_end, absl::Milliseconds(10)))
            << "; " << audit.Summary() << "\n";
  EXPECT_THAT(d.Stop(), IsOk());
}

INSTANTIATE_TEST_SUITE_P(Outages, UpstreamOutageTest,
                         ::testing::Values(Outage::kHung, Outage::kDead),
                         [](const ::testing::TestParamInfo<Outage>& info) {
                           return info.param == Outage::kHung ? "Hung" : "Dead";
                         });

}  // namespace
}  // namespace vouchstream::testing

// Fault (a): SIGKILL the service while signed webhooks flow through the
// gateway. Every webhook answered 2xx must be in the log after the restart,
// exactly once, and a subscriber that resumes after the last seq it saw
// must see the whole log in order.

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/faults/log_audit.h"
#include "tests/faults/scoped_thread.h"
#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_events.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {
namespace {

// Acknowledged webhooks wanted before the kill, and again after the restart.
constexpr uint64_t kOkBeforeKill = 300;
constexpr uint64_t kOkAfterRestart = 300;
// Answers (503s) wanted while the service is down.
constexpr uint64_t kRefusedWhileDown = 20;
// Upper bounds against hangs only.
constexpr absl::Duration kPhaseTimeout = absl::Seconds(60);

TEST(ServiceKillTest, EveryAcknowledgedWebhookSurvivesSigkillExactlyOnce) {
  Deployment::Options options;
  options.gateways = 1;
  options.gateway_args = {"--publish-deadline=3s"};
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;

  // A subscriber from the start of the log, reading until the kill ends its
  // stream.
  auto stub = d.NewStub();
  v1::SubscribeRequest from_start;
  from_start.set_from(v1::BOUNDARY_EARLIEST);
  Subscriber before(*stub, from_start, absl::Minutes(3));
  grpc::Status before_end;
  ScopedThread reader([&] { before_end = before.Finish(); },
                      [&] { before.Cancel(); });

  WebhookLoad::Options load_options = d.LoadOptions("pub_kill_");
  load_options.connections = 8;
  // Keeps the 503 storm while the service is down to a few hundred a second.
  load_options.pause = absl::Milliseconds(2);
  WebhookLoad load(load_options);

  ASSERT_TRUE(load.WaitUntil(
      [](const WebhookLoad::Counts& c) { return c.ok >= kOkBeforeKill; },
      kPhaseTimeout));
  ASSERT_THAT(d.KillServer(), IsOk());
  const WebhookLoad::Counts at_kill = load.counts();

  ASSERT_TRUE(load.WaitUntil(
      [&](const WebhookLoad::Counts& c) {
        return c.unavailable + c.failed >=
               at_kill.unavailable + at_kill.failed + kRefusedWhileDown;
      },
      kPhaseTimeout));
  reader.Join();
  EXPECT_EQ(before_end.error_code(), grpc::StatusCode::UNAVAILABLE)
      << before_end.error_message();

  // The same store on the same port: the gateway reconnects by itself.
  ASSERT_THAT(d.RestartServer(), IsOk());
  const WebhookLoad::Counts at_restart = load.counts();
  ASSERT_TRUE(load.WaitUntil(
      [&](const WebhookLoad::Counts& c) {
        return c.ok >= at_restart.ok + kOkAfterRestart;
      },
      kPhaseTimeout));
  load.Stop();
  const WebhookLoad::Counts total = load.counts();
  EXPECT_EQ(total.other, 0U);

  stub = d.NewStub();
  auto log = ReadWholeLog(*stub);
  ASSERT_THAT(log, IsOk());
  const LogAudit audit = AuditLog(load.requests(), *log);
  EXPECT_EQ(audit.acknowledged, total.ok);
  EXPECT_EQ(audit.acknowledged_stored, audit.acknowledged) << audit.Summary();
  EXPECT_EQ(audit.duplicate_ids, 0U) << audit.Summary();
  EXPECT_TRUE(audit.dense) << audit.Summary();

  // The subscriber resumes after the last seq it saw and must get the rest
  // of the log: together, every seq once, in order.
  std::vector<uint64_t> seen = before.received().seqs;
  const uint64_t last_seen = seen.empty() ? 0 : seen.back();
  v1::SubscribeRequest resume;
  resume.set_after_seq(last_seen);
  Subscriber after(*stub, resume, absl::Minutes(2));
  ASSERT_TRUE(after.ReadUntil(audit.events - last_seen))
      << "resumed subscriber got " << after.received().seqs.size() << " of "
      << audit.events - last_seen;
  seen.insert(seen.end(), after.received().seqs.begin(),
              after.received().seqs.end());
  std::string problem;
  EXPECT_TRUE(IsContiguous(seen, 1, audit.events, &problem)) << problem;

  // Voucherify retries what was not answered 2xx. Every retry must now be
  // acknowledged, those stored before the kill as duplicates, and the log
  // then holds every webhook sent exactly once.
  std::vector<std::string> refused;
  for (const WebhookLoad::Request& request : load.requests()) {
    if (request.http_status / 100 != 2) {
      refused.push_back(request.id);
    }
  }
  WebhookLoad::Options retry_options = load_options;
  retry_options.ids = refused;
  WebhookLoad retry(retry_options);
  ASSERT_TRUE(retry.WaitUntil(
      [&](const WebhookLoad::Counts& c) {
        return c.answered() == refused.size();
      },
      kPhaseTimeout));
  retry.Stop();
  EXPECT_EQ(retry.counts().ok, refused.size());
  uint64_t retried_duplicates = 0;
  for (const WebhookLoad::Request& request : retry.requests()) {
    retried_duplicates += request.duplicate ? 1 : 0;
  }
  EXPECT_EQ(retried_duplicates, audit.stored_unacknowledged);
  auto final_log = ReadWholeLog(*stub);
  ASSERT_THAT(final_log, IsOk());
  const LogAudit final_audit = AuditLog(retry.requests(), *final_log);
  EXPECT_EQ(final_audit.events, total.sent);
  EXPECT_EQ(final_audit.duplicate_ids, 0U);
  EXPECT_TRUE(final_audit.dense);
  EXPECT_EQ(final_audit.acknowledged_stored, refused.size())
      << final_audit.Summary();
  after.Cancel();

  std::cout << "[fault a] SIGKILL of the service under load: " << total.sent
            << " signed webhooks sent, " << total.ok << " answered 2xx, "
            << total.unavailable << " answered 503, " << total.failed
            << " unanswered; after restart " << audit.Summary()
            << "; the subscriber saw seqs 1.." << last_seen
            << " before the kill and resumed after " << last_seen << " to "
            << audit.events << ": " << seen.size()
            << " deliveries, in order, no gap, no duplicate; the "
            << refused.size() << " refused webhooks retried: all 2xx, "
            << retried_duplicates
            << " of them duplicates of events stored before the kill; the "
               "log then holds all "
            << final_audit.events << " webhooks sent, each exactly once\n";
  EXPECT_THAT(d.Stop(), IsOk());
}

}  // namespace
}  // namespace vouchstream::testing

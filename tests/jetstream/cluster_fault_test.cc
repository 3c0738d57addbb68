// Fault test (issue 7, part 3): a 3-node JetStream cluster (stream replicas
// 3) under load through two gateways and two services. SIGKILL the node
// that leads the stream, then one service; later take the cluster below
// quorum and back. Proves: every webhook answered 2xx is in the stream
// exactly once; subscribers resume without gap or duplicate; a gateway
// answers 503 (never another error) and only around a leader election or
// while no quorum exists.

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/faults/log_audit.h"
#include "tests/jetstream/nats_cluster.h"
#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_events.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {
namespace {

// 2xx answers wanted per gateway in each phase that should make progress.
constexpr uint64_t kProgress = 60;
// 503s wanted per gateway while the cluster has no quorum, and from the
// gateway whose service is dead.
constexpr uint64_t kRefused = 6;
constexpr int kConnections = 4;
// Upper bounds against hangs only.
constexpr absl::Duration kPhaseTimeout = absl::Seconds(60);

using Counts = WebhookLoad::Counts;

Counts Minus(const Counts& a, const Counts& b) {
  Counts d;
  d.sent = a.sent - b.sent;
  d.ok = a.ok - b.ok;
  d.unavailable = a.unavailable - b.unavailable;
  d.other = a.other - b.other;
  d.failed = a.failed - b.failed;
  return d;
}

// The whole log through `stub`. Right after nodes come back, reads may be
// refused UNAVAILABLE for a moment (the client contract: retry); bounded.
absl::StatusOr<std::vector<v1::Event>> ReadLog(v1::EventService::Stub& stub) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  absl::StatusOr<std::vector<v1::Event>> log = ReadWholeLog(stub);
  while (absl::IsUnavailable(log.status()) && absl::Now() < deadline) {
    std::cout << "[jetstream fault] reading the log: " << log.status()
              << "; reading again\n";
    absl::SleepFor(absl::Milliseconds(500));
    log = ReadWholeLog(stub);
  }
  return log;
}

std::string Describe(const Counts& c) {
  return absl::StrCat(c.ok, " 2xx, ", c.unavailable, " 503, ", c.failed,
                      " unanswered, ", c.other, " other");
}

TEST(ClusterFaultTest, NodeAndServiceKillsUnderLoadLoseNothing) {
  TempDir dir;
  auto cluster = NatsCluster::Start(dir.File("cluster"));
  ASSERT_THAT(cluster, IsOk());
  // Services A and B; gateway i is in front of service i.
  Deployment::Options options;
  options.store_url = (*cluster)->StoreUrl("EVENTS");
  options.servers = 2;
  options.gateways = 2;
  options.gateway_args = {"--publish-deadline=3s"};
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;

  // A subscriber on service A from the start, read until A dies; one on
  // service B, read at the end (it falls back to the log meanwhile).
  auto stub_a = d.NewStub(0);
  auto stub_b = d.NewStub(1);
  v1::SubscribeRequest from_start;
  from_start.set_from(v1::BOUNDARY_EARLIEST);
  Subscriber on_a(*stub_a, from_start, absl::Minutes(3));
  grpc::Status on_a_end;
  std::thread reader([&] { on_a_end = on_a.Finish(); });
  Subscriber on_b(*stub_b, from_start, absl::Minutes(3));

  std::vector<std::unique_ptr<WebhookLoad>> loads;
  for (int i = 0; i < 2; ++i) {
    WebhookLoad::Options options =
        d.LoadOptions(i == 0 ? "pub_fault_a_" : "pub_fault_b_", i);
    options.connections = kConnections;
    // Keeps the 503 storms (dead service, no quorum) to ~100 a second.
    options.pause = absl::Milliseconds(20);
    loads.push_back(std::make_unique<WebhookLoad>(options));
  }
  WebhookLoad& load_a = *loads[0];
  WebhookLoad& load_b = *loads[1];
  const auto progress = [&](WebhookLoad& load, uint64_t more) {
    const uint64_t from = load.counts().ok;
    return load.WaitUntil([&](const Counts& c) { return c.ok >= from + more; },
                          kPhaseTimeout);
  };

  // Phase 1: both paths work.
  ASSERT_TRUE(progress(load_a, kProgress));
  ASSERT_TRUE(progress(load_b, kProgress));

  // Phase 2: SIGKILL the node leading the stream. The other two elect a
  // new leader; both paths must make progress again.
  auto leader = (*cluster)->StreamLeader("EVENTS");
  ASSERT_THAT(leader, IsOk());
  const int killed_node = (*cluster)->NodeIndex(*leader);
  ASSERT_GE(killed_node, 0) << *leader;
  const Counts a_before_node_kill = load_a.counts();
  const Counts b_before_node_kill = load_b.counts();
  ASSERT_THAT((*cluster)->Kill(killed_node), IsOk());
  ASSERT_TRUE(progress(load_a, kProgress));
  ASSERT_TRUE(progress(load_b, kProgress));
  const Counts a_election = Minus(load_a.counts(), a_before_node_kill);
  const Counts b_election = Minus(load_b.counts(), b_before_node_kill);

  // Phase 3: SIGKILL service A. Gateway A answers 503; gateway B, whose
  // service runs on a cluster with quorum, must answer nothing but 2xx.
  const Counts a_before_service_kill = load_a.counts();
  const Counts b_before_service_kill = load_b.counts();
  ASSERT_THAT(d.KillServer(0), IsOk());
  ASSERT_TRUE(load_a.WaitUntil(
      [&](const Counts& c) {
        return c.unavailable + c.failed >= a_before_service_kill.unavailable +
                                               a_before_service_kill.failed +
                                               kRefused;
      },
      kPhaseTimeout));
  ASSERT_TRUE(progress(load_b, kProgress));
  const Counts b_with_quorum = Minus(load_b.counts(), b_before_service_kill);
  EXPECT_EQ(b_with_quorum.unavailable + b_with_quorum.failed, 0U)
      << "gateway B refused while the cluster had quorum: "
      << Describe(b_with_quorum);
  reader.join();
  EXPECT_EQ(on_a_end.error_code(), grpc::StatusCode::UNAVAILABLE)
      << on_a_end.error_message();

  // Service A again, on its old address: gateway A reconnects by itself.
  ASSERT_THAT(d.RestartServer(0), IsOk());
  ASSERT_TRUE(progress(load_a, kProgress));

  // Phase 4: a second node down: no quorum. Both gateways must answer 503
  // (after their publish deadline), no other error.
  const int second_node = (killed_node + 1) % NatsCluster::kNodes;
  const Counts a_before_no_quorum = load_a.counts();
  const Counts b_before_no_quorum = load_b.counts();
  ASSERT_THAT((*cluster)->Kill(second_node), IsOk());
  for (WebhookLoad* load : {&load_a, &load_b}) {
    const Counts from = load->counts();
    ASSERT_TRUE(load->WaitUntil(
        [&](const Counts& c) {
          return c.unavailable >= from.unavailable + kRefused;
        },
        kPhaseTimeout));
  }
  const Counts a_no_quorum = Minus(load_a.counts(), a_before_no_quorum);
  const Counts b_no_quorum = Minus(load_b.counts(), b_before_no_quorum);
  // At most the requests in flight at the kill may still have been
  // acknowledged.
  EXPECT_LE(a_no_quorum.ok, static_cast<uint64_t>(kConnections));
  EXPECT_LE(b_no_quorum.ok, static_cast<uint64_t>(kConnections));

  // Phase 5: both nodes back: quorum again, both paths make progress.
  ASSERT_THAT((*cluster)->Restart(second_node), IsOk());
  ASSERT_THAT((*cluster)->Restart(killed_node), IsOk());
  ASSERT_TRUE(progress(load_a, kProgress));
  ASSERT_TRUE(progress(load_b, kProgress));
  for (const auto& load : loads) {
    load->Stop();
  }
  const Counts total_a = load_a.counts();
  const Counts total_b = load_b.counts();
  EXPECT_EQ(total_a.other + total_b.other, 0U);

  // Every 2xx-acknowledged webhook is in the stream exactly once.
  std::vector<WebhookLoad::Request> requests = load_a.requests();
  const std::vector<WebhookLoad::Request> requests_b = load_b.requests();
  requests.insert(requests.end(), requests_b.begin(), requests_b.end());
  stub_a = d.NewStub(0);
  auto log = ReadLog(*stub_b);
  ASSERT_THAT(log, IsOk());
  const LogAudit audit = AuditLog(requests, *log);
  EXPECT_EQ(audit.acknowledged, total_a.ok + total_b.ok);
  EXPECT_EQ(audit.acknowledged_stored, audit.acknowledged) << audit.Summary();
  EXPECT_EQ(audit.duplicate_ids, 0U) << audit.Summary();
  EXPECT_TRUE(audit.dense) << audit.Summary();

  // Subscribers: B's (never interrupted) gets the whole log in order; A's
  // resumes on the restarted service after the last seq it saw.
  ASSERT_TRUE(on_b.ReadUntil(audit.events))
      << "subscriber on B got " << on_b.received().seqs.size() << " of "
      << audit.events;
  std::string problem;
  EXPECT_TRUE(IsContiguous(on_b.received().seqs, 1, audit.events, &problem))
      << problem;
  std::vector<uint64_t> seen_a = on_a.received().seqs;
  const uint64_t last_seen_a = seen_a.empty() ? 0 : seen_a.back();
  v1::SubscribeRequest resume;
  resume.set_after_seq(last_seen_a);
  Subscriber after(*stub_a, resume, absl::Minutes(2));
  ASSERT_TRUE(after.ReadUntil(audit.events - last_seen_a));
  seen_a.insert(seen_a.end(), after.received().seqs.begin(),
                after.received().seqs.end());
  EXPECT_TRUE(IsContiguous(seen_a, 1, audit.events, &problem)) << problem;

  // Voucherify retries what was not answered 2xx: all acknowledged now,
  // those stored meanwhile as duplicates; then the stream holds every
  // webhook sent exactly once.
  std::vector<std::string> refused;
  for (const WebhookLoad::Request& request : requests) {
    if (request.http_status / 100 != 2) {
      refused.push_back(request.id);
    }
  }
  WebhookLoad::Options retry_options = d.LoadOptions("pub_load_", 1);
  retry_options.ids = refused;
  retry_options.connections = 8;
  WebhookLoad retry(retry_options);
  ASSERT_TRUE(retry.WaitUntil(
      [&](const Counts& c) { return c.answered() == refused.size(); },
      kPhaseTimeout));
  retry.Stop();
  EXPECT_EQ(retry.counts().ok, refused.size());
  uint64_t retried_duplicates = 0;
  for (const WebhookLoad::Request& request : retry.requests()) {
    retried_duplicates += request.duplicate ? 1 : 0;
  }
  EXPECT_EQ(retried_duplicates, audit.stored_unacknowledged);
  auto final_log = ReadLog(*stub_b);
  ASSERT_THAT(final_log, IsOk());
  const LogAudit final_audit = AuditLog(retry.requests(), *final_log);
  EXPECT_EQ(final_audit.events, total_a.sent + total_b.sent);
  EXPECT_EQ(final_audit.duplicate_ids, 0U);
  EXPECT_TRUE(final_audit.dense);

  std::cout
      << "[jetstream fault] 3-node cluster, replicas 3, 2 services, 2 "
         "gateways under load. SIGKILL of stream leader "
      << *leader << ": gateway A " << Describe(a_election) << ", gateway B "
      << Describe(b_election)
      << " until both had made progress again (503s only during the "
         "election). SIGKILL of service A: gateway B "
      << Describe(b_with_quorum)
      << " (no refusal while quorum held); subscriber on A ended "
         "UNAVAILABLE after seq "
      << last_seen_a << " and resumed on the restarted A with no gap or "
      << "duplicate. Second node down (no quorum): gateway A "
      << Describe(a_no_quorum) << ", gateway B " << Describe(b_no_quorum)
      << "; nodes back: progress again. " << audit.Summary()
      << "; subscriber on B: seqs 1.." << audit.events
      << " in order, no gap, no duplicate. " << refused.size()
      << " refused webhooks retried: all 2xx, " << retried_duplicates
      << " duplicates of events stored meanwhile; the stream then holds all "
      << final_audit.events << " webhooks sent, each exactly once\n";
  after.Cancel();
  on_b.Cancel();
  EXPECT_THAT(d.Stop(), IsOk());
}

}  // namespace
}  // namespace vouchstream::testing

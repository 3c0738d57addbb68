// Many replicas (issue 7, part 2): two services and two gateways over one
// 3-node JetStream cluster (stream replicas = 3). Signed webhooks go in
// through both gateways at once; a subscriber on either service must see
// every event from either gateway, in one order: the stream's.

#include <cstdint>
#include <iostream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

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

using ::testing::ElementsAre;

// Webhooks sent through each gateway.
constexpr uint64_t kPerGateway = 150;
// Upper bound against hangs only.
constexpr absl::Duration kTimeout = absl::Seconds(60);

TEST(ScaleOutTest, EitherServiceDeliversEveryGatewaysEventsInOneOrder) {
  TempDir dir;
  auto cluster = NatsCluster::Start(dir.File("cluster"));
  ASSERT_THAT(cluster, IsOk());
  // Services A and B; gateway i is in front of service i.
  Deployment::Options options;
  options.store_url = (*cluster)->StoreUrl("EVENTS");
  options.servers = 2;
  options.gateways = 2;
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;

  auto stub_a = d.NewStub(0);
  auto stub_b = d.NewStub(1);
  v1::SubscribeRequest from_start;
  from_start.set_from(v1::BOUNDARY_EARLIEST);
  Subscriber on_a(*stub_a, from_start, absl::Minutes(2));
  Subscriber on_b(*stub_b, from_start, absl::Minutes(2));
  ASSERT_TRUE(on_a.ReadUntilCaughtUp());
  ASSERT_TRUE(on_b.ReadUntilCaughtUp());

  std::vector<std::unique_ptr<WebhookLoad>> loads;
  for (int i = 0; i < 2; ++i) {
    WebhookLoad::Options options =
        d.LoadOptions(i == 0 ? "pub_gw_a_" : "pub_gw_b_", i);
    options.connections = 4;
    options.max_requests = kPerGateway;
    loads.push_back(std::make_unique<WebhookLoad>(options));
  }
  std::vector<WebhookLoad::Request> requests;
  for (const auto& load : loads) {
    ASSERT_TRUE(load->WaitUntil(
        [](const WebhookLoad::Counts& c) {
          return c.answered() == kPerGateway;
        },
        kTimeout));
    load->Stop();
    EXPECT_EQ(load->counts().ok, kPerGateway);
    const std::vector<WebhookLoad::Request> sent = load->requests();
    requests.insert(requests.end(), sent.begin(), sent.end());
  }
  const uint64_t total = 2 * kPerGateway;

  // Each subscriber: every event from both gateways, live, in stream order.
  ASSERT_TRUE(on_a.ReadUntil(total));
  ASSERT_TRUE(on_b.ReadUntil(total));
  std::vector<uint64_t> want(total);
  std::iota(want.begin(), want.end(), 1);
  EXPECT_EQ(on_a.received().seqs, want);
  EXPECT_EQ(on_b.received().seqs, want);

  // The log read through either service is the same, and holds every
  // acknowledged webhook exactly once at the seq its answer named.
  auto log_a = ReadWholeLog(*stub_a);
  auto log_b = ReadWholeLog(*stub_b);
  ASSERT_THAT(log_a, IsOk());
  ASSERT_THAT(log_b, IsOk());
  ASSERT_EQ(log_a->size(), log_b->size());
  for (size_t i = 0; i < log_a->size(); ++i) {
    EXPECT_EQ((*log_a)[i].id(), (*log_b)[i].id()) << "at seq " << i + 1;
  }
  const LogAudit audit = AuditLog(requests, *log_a);
  EXPECT_EQ(audit.acknowledged, total);
  EXPECT_EQ(audit.acknowledged_stored, total) << audit.Summary();
  EXPECT_EQ(audit.duplicate_ids, 0U) << audit.Summary();
  EXPECT_TRUE(audit.dense) << audit.Summary();
  uint64_t from_a = 0;
  for (const v1::Event& event : *log_a) {
    from_a += event.id().rfind("pub_gw_a_", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(from_a, kPerGateway);

  // A cursor saved through one service is where a named subscriber of the
  // other resumes: cursors live in JetStream (KV), not in a service.
  {
    v1::SaveCursorRequest save;
    save.set_consumer("crm-sync");
    save.set_seq(total - 2);
    v1::SaveCursorResponse saved;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_a->SaveCursor(&context, save, &saved).ok());
  }
  v1::SubscribeRequest named;
  named.set_consumer("crm-sync");
  Subscriber resumed(*stub_b, named, absl::Minutes(1));
  ASSERT_TRUE(resumed.ReadUntilCaughtUp());
  EXPECT_THAT(resumed.received().seqs, ElementsAre(total - 1, total));
  resumed.Cancel();

  std::cout << "[jetstream scale-out] 3-node cluster, stream replicas 3, "
            << "2 services, 2 gateways: " << total << " signed webhooks ("
            << kPerGateway
            << " per gateway) all answered 2xx; a subscriber on each service "
               "received seqs 1.."
            << total << " live, identical, no gap, no duplicate; both "
            << "services read the same log (" << audit.Summary() << ")\n";
  on_a.Cancel();
  on_b.Cancel();
  EXPECT_THAT(d.Stop(), IsOk());
}

}  // namespace
}  // namespace vouchstream::testing

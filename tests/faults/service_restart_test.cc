// Issue 23 item 4: quick, lossless restarts. SIGTERM the service five times
// while signed webhooks flow through a gateway and subscribers are
// connected, restarting it on the same port and store each time. Every
// webhook answered 2xx is in the log exactly once; a subscriber that resumes
// after the last seq it saw gets the whole log in order; and each stop ends
// by itself: the gateway's PublishStream and every subscription are told to
// go, so the service never waits out its drain timeout (set to 60 s here;
// before the fix every stop took all of it).

#include <signal.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/faults/log_audit.h"
#include "tests/faults/scoped_thread.h"
#include "tests/integration/server_process.h"
#include "tests/integration/test_events.h"
#include "tests/testing/gateway_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {
namespace {

constexpr char kSecret[] = "restart-secret";
constexpr int kRestarts = 5;
// Acknowledged webhooks wanted between two stops.
constexpr uint64_t kOkPerRound = 150;
// Idle subscribers connected at each stop, besides the one that checks the
// log.
constexpr int kIdleSubscribers = 20;
constexpr absl::Duration kDrainTimeout = absl::Seconds(60);
// A stop that waited for its drain timeout would take 60 s; one that tells
// its streams to go takes well under a second. Half the timeout tells the
// two apart on any machine.
constexpr absl::Duration kStopBound = absl::Seconds(30);
// Upper bounds against hangs only.
constexpr absl::Duration kPhaseTimeout = absl::Seconds(60);

TEST(ServiceRestartTest, SigtermUnderLoadIsQuickAndLosesNothing) {
  TempDir dir;
  ServerProcess::Options server_options;
  server_options.store_path = dir.File("events.db");
  server_options.extra_args = {
      absl::StrCat("--drain_timeout=", absl::FormatDuration(kDrainTimeout))};
  auto server = ServerProcess::Start(server_options);
  ASSERT_THAT(server, IsOk());
  const std::string address = (*server)->address();
  server_options.extra_args.push_back(absl::StrCat("--listen=", address));

  GatewayProcess::Options gateway_options;
  gateway_options.upstream = address;
  gateway_options.secret = kSecret;
  gateway_options.secret_dir = dir.path();
  gateway_options.extra_args = {"--publish-deadline=3s"};
  auto gateway = GatewayProcess::Start(gateway_options);
  ASSERT_THAT(gateway, IsOk());

  WebhookLoad::Options load_options;
  load_options.port = (*gateway)->port();
  load_options.body = SeedBody();
  load_options.placeholder = kSeedPublicationId;
  load_options.id_prefix = "pub_restart_";
  load_options.secret = kSecret;
  load_options.connections = 4;
  load_options.pause = absl::Milliseconds(2);
  WebhookLoad load(load_options);

  std::vector<uint64_t> seen;  // What the resuming subscriber got, in order.
  std::vector<absl::Duration> stops;
  for (int round = 0; round < kRestarts; ++round) {
    // A channel of the round's own: dropped before the stop completes, as
    // the clients of a real deployment go or reconnect. (gRPC's server
    // waits for every connection to answer its GOAWAY; an idle client
    // channel answers only at its 5 s backup poll.)
    auto stub = v1::EventService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    v1::SubscribeRequest resume;
    resume.set_after_seq(seen.empty() ? 0 : seen.back());
    auto subscriber =
        std::make_unique<Subscriber>(*stub, resume, absl::Minutes(3));
    grpc::Status end;
    auto reader = std::make_unique<ScopedThread>(
        [&] { end = subscriber->Finish(); }, [&] { subscriber->Cancel(); });
    std::vector<std::unique_ptr<Subscriber>> idle;
    std::vector<grpc::Status> idle_ends(kIdleSubscribers);
    std::vector<std::unique_ptr<ScopedThread>> idle_readers;
    for (int i = 0; i < kIdleSubscribers; ++i) {
      v1::SubscribeRequest latest;
      latest.set_from(v1::BOUNDARY_LATEST);
      idle.push_back(
          std::make_unique<Subscriber>(*stub, latest, absl::Minutes(3)));
      Subscriber* one = idle.back().get();
      idle_readers.push_back(std::make_unique<ScopedThread>(
          [one, &idle_ends, i] { idle_ends[i] = one->Finish(); },
          [one] { one->Cancel(); }));
    }

    const uint64_t ok_at_start = load.counts().ok;
    ASSERT_TRUE(load.WaitUntil(
        [&](const WebhookLoad::Counts& c) {
          return c.ok >= ok_at_start + kOkPerRound;
        },
        kPhaseTimeout))
        << "round " << round;

    const absl::Time stop_began = absl::Now();
    ASSERT_EQ(kill((*server)->pid(), SIGTERM), 0);
    // Every stream is told to go.
    reader->Join();
    EXPECT_EQ(end.error_code(), grpc::StatusCode::UNAVAILABLE)
        << end.error_message();
    seen.insert(seen.end(), subscriber->received().seqs.begin(),
                subscriber->received().seqs.end());
    for (int i = 0; i < kIdleSubscribers; ++i) {
      idle_readers[i]->Join();
      EXPECT_EQ(idle_ends[i].error_code(), grpc::StatusCode::UNAVAILABLE)
          << idle_ends[i].error_message();
    }
    idle_readers.clear();
    idle.clear();
    reader.reset();
    subscriber.reset();
    stub.reset();
    // Waits for the exit (the second SIGTERM changes nothing).
    ASSERT_THAT((*server)->Stop(kDrainTimeout + absl::Seconds(10)), IsOk())
        << "round " << round;
    stops.push_back(absl::Now() - stop_began);
    EXPECT_LT(stops.back(), kStopBound) << "round " << round;

    server = ServerProcess::Start(server_options);
    ASSERT_THAT(server, IsOk()) << "round " << round;
  }
  // Some acknowledged webhooks after the last restart too.
  const uint64_t ok_at_last = load.counts().ok;
  ASSERT_TRUE(load.WaitUntil(
      [&](const WebhookLoad::Counts& c) {
        return c.ok >= ok_at_last + kOkPerRound;
      },
      kPhaseTimeout));
  load.Stop();
  const WebhookLoad::Counts total = load.counts();
  EXPECT_EQ(total.other, 0U);

  auto stub = v1::EventService::NewStub((*server)->channel());
  auto log = ReadWholeLog(*stub);
  ASSERT_THAT(log, IsOk());
  const LogAudit audit = AuditLog(load.requests(), *log);
  EXPECT_EQ(audit.acknowledged, total.ok);
  EXPECT_EQ(audit.acknowledged_stored, audit.acknowledged) << audit.Summary();
  EXPECT_EQ(audit.duplicate_ids, 0U) << audit.Summary();
  EXPECT_TRUE(audit.dense) << audit.Summary();

  // The subscriber resumes once more and must have the whole log: every seq
  // once, in order, across the five stops.
  const uint64_t last_seen = seen.empty() ? 0 : seen.back();
  v1::SubscribeRequest resume;
  resume.set_after_seq(last_seen);
  Subscriber after(*stub, resume, absl::Minutes(2));
  ASSERT_TRUE(after.ReadUntil(audit.events - last_seen));
  seen.insert(seen.end(), after.received().seqs.begin(),
              after.received().seqs.end());
  std::string problem;
  EXPECT_TRUE(IsContiguous(seen, 1, audit.events, &problem)) << problem;
  after.Cancel();

  std::vector<std::string> stop_texts;
  for (absl::Duration stop : stops) {
    stop_texts.push_back(absl::FormatDuration(stop));
  }
  std::cout << "[restart] " << kRestarts << " SIGTERMs of the service under "
            << "load, a gateway and " << kIdleSubscribers + 1
            << " subscribers connected, --drain_timeout="
            << absl::FormatDuration(kDrainTimeout) << ": stops took "
            << absl::StrJoin(stop_texts, ", ") << "; " << total.sent
            << " webhooks sent, " << total.ok
            << " answered 2xx (all stored once), " << total.unavailable
            << " answered 503; " << audit.Summary()
            << "; the resuming subscriber saw " << seen.size()
            << " events, in order, no gap, no duplicate\n";
  EXPECT_THAT((*gateway)->Stop(), IsOk());
  EXPECT_THAT((*server)->Stop(), IsOk());
}

}  // namespace
}  // namespace vouchstream::testing

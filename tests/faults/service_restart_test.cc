// Issue 23 item 4: quick, lossless restarts. SIGTERM the service five times
// while signed webhooks flow through a gateway and 101 subscribers are
// connected, restarting it on the same port and store each time. Every
// webhook answered 2xx is in the log exactly once; a subscriber that resumes
// after the last seq it saw gets the whole log in order, and every other
// subscriber got what it got in order, without a gap; each stop ends by
// itself: the gateway's PublishStream and every subscription are told to
// go, so the service never waits out its drain timeout (set to 60 s here;
// before the fix every stop took all of it). The gateway re-sends what the
// drained stream did not ack on a fresh stream once the service is back, so
// the webhook senders see (almost) no 503: bare bodies with an id and bare
// bodies identified by their content hash alike, each stored once.

#include <signal.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
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

constexpr int kRestarts = 5;
// Acknowledged webhooks wanted between two stops.
constexpr uint64_t kOkPerRound = 150;
// Live subscribers connected at each stop, besides the one that checks the
// log (the issue's 100).
constexpr int kIdleSubscribers = 100;
constexpr absl::Duration kDrainTimeout = absl::Seconds(60);
// A stop that waited for its drain timeout would take 60 s; one that tells
// its streams to go takes well under a second (measured 37-134 ms here, the
// issue asks for under 1 s). 4 s leaves a loaded machine 30 times the
// measured time, and still fails a stop held by a client channel that
// answers the server's GOAWAY only at its 5 s backup poll.
constexpr absl::Duration kStopBound = absl::Seconds(4);
// Upper bounds against hangs only.
constexpr absl::Duration kPhaseTimeout = absl::Seconds(60);

// Voucherify's `customer.segment.entered` body names no id of its own: its
// identity is the SHA-256 of its canonical form. The load makes each one
// unique through the customer id.
constexpr char kSegmentCustomerId[] = "cust_7Qp2";
constexpr char kSegmentBody[] =
    R"({"customer":{"id":"cust_7Qp2","source_id":"alice@example.com",)"
    R"("object":"customer"},"segment":{"id":"seg_1Vip","name":"VIP",)"
    R"("object":"segment"}})";
constexpr char kSegmentType[] = "customer.segment.entered";

// The customer id in a stored segment body (its raw bytes), or "".
std::string SegmentCustomerId(const v1::Event& event) {
  constexpr char kKey[] = R"("customer":{"id":")";
  const std::string& raw = event.raw();
  const size_t start = raw.find(kKey);
  if (start == std::string::npos) {
    return "";
  }
  const size_t from = start + sizeof(kKey) - 1;
  const size_t end = raw.find('"', from);
  return end == std::string::npos ? "" : raw.substr(from, end - from);
}

// Segment webhooks answered 2xx that are not stored exactly once at the seq
// their answer named (content-hash ids are no request ids, so the log is
// matched by the customer id in the body).
uint64_t SegmentsNotStoredOnce(
    const std::vector<WebhookLoad::Request>& requests,
    const std::vector<v1::Event>& log) {
  absl::flat_hash_map<std::string, std::vector<uint64_t>> seqs_of_customer;
  for (const v1::Event& event : log) {
    if (event.type() == kSegmentType) {
      seqs_of_customer[SegmentCustomerId(event)].push_back(event.seq());
    }
  }
  uint64_t wrong = 0;
  for (const WebhookLoad::Request& request : requests) {
    if (request.http_status / 100 != 2) {
      continue;
    }
    const auto it = seqs_of_customer.find(request.id);
    if (it == seqs_of_customer.end() || it->second.size() != 1 ||
        it->second[0] != request.seq) {
      ++wrong;
    }
  }
  return wrong;
}

TEST(ServiceRestartTest, SigtermUnderLoadIsQuickAndLosesNothing) {
  Deployment::Options options;
  options.server_args = {
      absl::StrCat("--drain_timeout=", absl::FormatDuration(kDrainTimeout))};
  options.gateways = 1;
  options.gateway_args = {"--publish-deadline=3s"};
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  const std::string address = d.server_address();

  WebhookLoad::Options load_options = d.LoadOptions("pub_restart_");
  load_options.connections = 4;
  load_options.pause = absl::Milliseconds(2);
  WebhookLoad load(load_options);
  WebhookLoad::Options segment_options = load_options;
  segment_options.path = absl::StrCat("/webhooks/voucherify/", kSegmentType);
  segment_options.body = kSegmentBody;
  segment_options.placeholder = kSegmentCustomerId;
  segment_options.id_prefix = "cust_restart_";
  segment_options.connections = 1;
  WebhookLoad segment_load(segment_options);

  std::vector<uint64_t> seen;  // What the resuming subscriber got, in order.
  std::vector<absl::Duration> stops;
  // From each restart to the service listening again.
  std::vector<absl::Duration> starts;
  // Events the idle subscribers got, and how many of them ended before the
  // checking subscriber's last event of the round.
  uint64_t idle_events = 0;
  uint64_t idle_short = 0;
  for (int round = 0; round < kRestarts; ++round) {
    // One channel for the round's 101 subscribers, kept open until the
    // service has exited: gRPC's server waits for every connection to
    // answer its GOAWAY, and an idle client channel was seen to answer only
    // at its 5 s backup poll; kStopBound fails such a stop (each
    // took 40-130 ms with this channel open throughout).
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
    ASSERT_EQ(kill(d.server().pid(), SIGTERM), 0);
    // Every stream is told to go.
    reader->Join();
    EXPECT_EQ(end.error_code(), grpc::StatusCode::UNAVAILABLE)
        << end.error_message();
    const std::vector<uint64_t>& round_seqs = subscriber->received().seqs;
    seen.insert(seen.end(), round_seqs.begin(), round_seqs.end());
    for (int i = 0; i < kIdleSubscribers; ++i) {
      idle_readers[i]->Join();
      EXPECT_EQ(idle_ends[i].error_code(), grpc::StatusCode::UNAVAILABLE)
          << idle_ends[i].error_message();
      // Live from where it joined: in order, without a gap or repeat.
      const std::vector<uint64_t>& got = idle[i]->received().seqs;
      std::string problem;
      if (!got.empty()) {
        EXPECT_TRUE(IsContiguous(got, got.front(), got.back(), &problem))
            << "round " << round << ", subscriber " << i << ": " << problem;
        if (!round_seqs.empty() && got.back() != round_seqs.back()) {
          ++idle_short;
        }
      }
      idle_events += got.size();
    }
    idle_readers.clear();
    idle.clear();
    reader.reset();
    subscriber.reset();
    // Waits for the exit (the second SIGTERM changes nothing).
    ASSERT_THAT(d.StopServer(0, kDrainTimeout + absl::Seconds(10)), IsOk())
        << "round " << round;
    stops.push_back(absl::Now() - stop_began);
    stub.reset();
    EXPECT_LT(stops.back(), kStopBound) << "round " << round;

    const absl::Time start_began = absl::Now();
    ASSERT_THAT(d.RestartServer(), IsOk()) << "round " << round;
    starts.push_back(absl::Now() - start_began);
  }
  // Some acknowledged webhooks after the last restart too.
  const uint64_t ok_at_last = load.counts().ok;
  ASSERT_TRUE(load.WaitUntil(
      [&](const WebhookLoad::Counts& c) {
        return c.ok >= ok_at_last + kOkPerRound;
      },
      kPhaseTimeout));
  load.Stop();
  segment_load.Stop();
  const WebhookLoad::Counts total = load.counts();
  const WebhookLoad::Counts segments = segment_load.counts();
  EXPECT_EQ(total.other + total.failed, 0U);
  EXPECT_EQ(segments.other + segments.failed, 0U);
  EXPECT_GT(segments.ok, 0U);
  // A webhook is answered 503 only when the service stays away for the
  // whole publish deadline (3 s) after it arrived; a stop, a restart until
  // listening and the gateway's reconnect (backoff 100 ms to 1 s) took
  // 0.1-0.3 s here, so none may be refused.
  EXPECT_EQ(total.unavailable, 0U);
  EXPECT_EQ(segments.unavailable, 0U);

  auto stub = d.NewStub();
  auto log = ReadWholeLog(*stub);
  ASSERT_THAT(log, IsOk());
  const LogAudit audit = AuditLog(load.requests(), *log);
  EXPECT_EQ(audit.acknowledged, total.ok);
  EXPECT_EQ(audit.acknowledged_stored, audit.acknowledged) << audit.Summary();
  EXPECT_EQ(audit.duplicate_ids, 0U) << audit.Summary();
  EXPECT_TRUE(audit.dense) << audit.Summary();
  EXPECT_EQ(SegmentsNotStoredOnce(segment_load.requests(), *log), 0U);

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

  auto texts = [](const std::vector<absl::Duration>& durations) {
    std::vector<std::string> out;
    out.reserve(durations.size());
    for (const absl::Duration duration : durations) {
      out.push_back(
          absl::FormatDuration(absl::Trunc(duration, absl::Microseconds(100))));
    }
    return absl::StrJoin(out, ", ");
  };
  std::cout << "[restart] " << kRestarts << " SIGTERMs of the service under "
            << "load, a gateway and " << kIdleSubscribers + 1
            << " subscribers connected, --drain_timeout="
            << absl::FormatDuration(kDrainTimeout) << ": stops took "
            << texts(stops) << ", restarts until listening " << texts(starts)
            << "; " << total.sent << " publication webhooks sent, " << total.ok
            << " answered 2xx (all stored once), " << total.unavailable
            << " answered 503; " << segments.sent
            << " content-hash (segment) webhooks sent, " << segments.ok
            << " answered 2xx (all stored once), " << segments.unavailable
            << " answered 503; " << audit.Summary() << "; the "
            << kIdleSubscribers << " live subscribers got " << idle_events
            << " events, each in order without a gap (" << idle_short
            << " ended before the last event of their round)"

            << "; the resuming subscriber saw " << seen.size()
            << " events, in order, no gap, no duplicate\n";
  EXPECT_THAT(d.Stop(), IsOk());
}

}  // namespace
}  // namespace vouchstream::testing

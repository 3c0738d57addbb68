// Fault (b): SIGKILL a subscriber (the example consumer, which saves its
// cursor to a file after each event) in the middle of its stream, while
// events are still being published, and start it again from its saved
// cursor: the stream resumes right after the saved seq, with no gap and no
// duplicate.

#include <signal.h>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "clients/cpp/lib/file_cursor.h"
#include "tests/faults/log_audit.h"
#include "tests/faults/scoped_thread.h"
#include "tests/testing/consumer_process.h"
#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_events.h"
#include "tests/testing/tmpfs_mount.h"

namespace vouchstream::testing {
namespace {

constexpr int kEvents = 600;
constexpr int kBatch = 20;
// The consumer is killed once it has printed this many events.
constexpr size_t kKillAfter = 200;
constexpr absl::Duration kWait = absl::Seconds(60);

std::vector<std::string> ConsumerArgs(const std::string& server,
                                      const std::string& cursor) {
  return {VS_CONSUMER_PATH, "--server=" + server, "--cursor=" + cursor};
}

TEST(SubscriberKillTest, RestartFromSavedCursorHasNoGapAndNoDuplicate) {
  auto deployment = Deployment::Start(StoreKind::kSqlite);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  auto stub = d.NewStub();
  // The consumer fsyncs its cursor after every event. On a machine whose
  // disk is busy with other work, a fsync can take a good part of a second;
  // the fault under test is the kill, not the disk, so the cursor lives on a
  // tmpfs of its own (same rename-over semantics, no disk latency).
  auto cursor_disk = TmpfsMount::Mount(d.dir().File("cursor"), 1 << 20);
  ASSERT_THAT(cursor_disk, IsOk());
  const std::string cursor = (*cursor_disk)->path() + "/consumer.seq";

  // Events keep coming while the consumer reads, is killed and restarts.
  absl::Status published;
  ScopedThread publisher([&] {
    for (int start = 0; start < kEvents && published.ok(); start += kBatch) {
      std::vector<v1::Event> events;
      for (int i = start; i < start + kBatch; ++i) {
        events.push_back(SeedEvent(absl::StrCat("pub_sub_", i)));
      }
      published = PublishMany(*stub, events).status();
    }
  });

  std::vector<uint64_t> first_run;
  {
    ConsumerProcess consumer(ConsumerArgs(d.server_address(), cursor));
    first_run = consumer.ReadSeqs(kKillAfter, kWait);
    EXPECT_EQ(consumer.Stop(SIGKILL), -1);
    // Whatever it printed before it died.
    const std::vector<uint64_t> rest = consumer.ReadAllSeqs(kWait);
    first_run.insert(first_run.end(), rest.begin(), rest.end());
  }
  publisher.Join();
  ASSERT_THAT(published, IsOk());
  ASSERT_GE(first_run.size(), kKillAfter)
      << "the consumer printed only " << first_run.size() << " events in "
      << kWait;
  const uint64_t printed = first_run.back();
  std::string problem;
  EXPECT_TRUE(IsContiguous(first_run, 1, printed, &problem)) << problem;

  // It prints an event, then saves its seq: a kill in between leaves the
  // cursor one behind what it printed, never ahead.
  absl::StatusOr<std::optional<uint64_t>> saved =
      client::FileCursor(cursor).Load();
  ASSERT_THAT(saved, IsOk());
  ASSERT_TRUE(saved->has_value());
  const uint64_t resume_after = **saved;
  EXPECT_LE(resume_after, printed);
  EXPECT_GE(resume_after + 1, printed);

  ConsumerProcess consumer(ConsumerArgs(d.server_address(), cursor));
  const std::vector<uint64_t> second_run =
      consumer.ReadSeqs(kEvents - resume_after, kWait);
  ASSERT_FALSE(second_run.empty()) << "the restarted consumer printed nothing";
  EXPECT_TRUE(IsContiguous(second_run, resume_after + 1, kEvents, &problem))
      << problem;
  EXPECT_EQ(consumer.Stop(SIGTERM), 0);
  EXPECT_EQ(consumer.unread(), "");

  std::cout << "[fault b] SIGKILL of a subscriber mid-stream: it had printed "
               "seqs 1.."
            << printed << " (in order) and saved cursor " << resume_after
            << "; restarted from the cursor it got seqs " << resume_after + 1
            << ".." << second_run.back() << " (" << second_run.size()
            << " events, in order, no gap, nothing at or before the cursor "
               "again); "
            << printed - resume_after
            << " event(s) printed but not yet saved when it died were handed "
               "over again (at-least-once for the event in hand)\n";
  EXPECT_THAT(d.StopServer(), IsOk());
}

}  // namespace
}  // namespace vouchstream::testing

// Crash safety: a child process appends in a loop and reports each seq only
// after its `done` fired; the parent kills it with SIGKILL mid-run and checks
// that the reopened log holds every acknowledged event exactly once, with
// dense seqs.

#include <poll.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <sys/types.h>
#include <sys/wait.h>

#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "service/store/sqlite_event_log.h"
#include "tests/service/store/store_test_util.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::store {
namespace {

using ::vouchstream::store::testing::MakeEvent;
using ::vouchstream::store::testing::TempDir;
using ::vouchstream::testing::IsOk;

constexpr int kInFlight = 64;
constexpr int kAcksBeforeKill = 3000;

// The child: appends forever with up to kInFlight appends outstanding and
// writes "seq id\n" to `fd` from each successful `done`. Never returns.
[[noreturn]] void AppendUntilKilled(const std::string& path, int fd) {
  SqliteEventLog::Options options;
  options.path = path;
  options.max_batch_size = 256;
  absl::StatusOr<std::unique_ptr<SqliteEventLog>> log =
      SqliteEventLog::Open(options);
  if (!log.ok()) {
    _exit(2);
  }
  absl::Mutex mu;
  int in_flight = 0;
  for (uint64_t n = 0;; ++n) {
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(
          +[](const int* count) { return *count < kInFlight; },
          static_cast<const int*>(&in_flight)));
      ++in_flight;
    }
    std::string id = absl::StrCat("ev_", n);
    // Every tenth event retries an earlier one, to exercise dedup as well.
    if (n % 10 == 9) {
      id = absl::StrCat("ev_", n / 2);
    }
    (*log)->Append(
        MakeEvent(id, "publication.succeeded", absl::StrCat("cust_", n % 5),
                  absl::StrCat("whs_", id)),
        [&mu, &in_flight, fd,
         id](absl::StatusOr<core::EventLog::AppendResult> result) {
          if (result.ok()) {
            // One write() per line: atomic on a pipe (< PIPE_BUF).
            const std::string line = absl::StrCat(result->seq, " ", id, "\n");
            if (write(fd, line.data(), line.size()) !=
                static_cast<ssize_t>(line.size())) {
              _exit(3);
            }
          } else {
            _exit(4);
          }
          absl::MutexLock lock(&mu);
          --in_flight;
        });
  }
}

TEST(SqliteEventLogCrashTest, SigkillLosesNoAcknowledgedEvent) {
  TempDir dir;
  const std::string path = dir.File("events.db");
  std::array<int, 2> fds{};
  ASSERT_EQ(pipe(fds.data()), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    AppendUntilKilled(path, fds[1]);
  }
  close(fds[1]);

  // Read acknowledgements; kill the child once enough have arrived, then
  // drain what it wrote before dying.
  std::string buffer;
  size_t lines = 0;
  bool killed = false;
  std::array<char, 4096> chunk{};
  for (;;) {
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, 30000);
    ASSERT_GT(ready, 0) << "the child stopped acknowledging";
    const ssize_t n = read(fds[0], chunk.data(), chunk.size());
    ASSERT_GE(n, 0);
    if (n == 0) {
      break;
    }
    buffer.append(chunk.data(), static_cast<size_t>(n));
    for (char c : absl::string_view(chunk.data(), static_cast<size_t>(n))) {
      lines += c == '\n' ? 1 : 0;
    }
    if (!killed && lines >= kAcksBeforeKill) {
      ASSERT_EQ(kill(child, SIGKILL), 0);
      killed = true;
    }
  }
  close(fds[0]);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(killed) << "child exited early, status " << wait_status;
  ASSERT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL)
      << "child exited with status " << wait_status;

  std::map<std::string, uint64_t> acked;  // id -> seq
  uint64_t max_acked = 0;
  for (absl::string_view line :
       absl::StrSplit(buffer, '\n', absl::SkipEmpty())) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    ASSERT_EQ(parts.size(), 2U) << line;
    uint64_t seq = 0;
    ASSERT_TRUE(absl::SimpleAtoi(parts[0], &seq)) << line;
    auto [it, inserted] = acked.emplace(parts[1], seq);
    EXPECT_EQ(it->second, seq) << "id " << parts[1] << " acked twice";
    max_acked = std::max(max_acked, seq);
  }
  ASSERT_GE(acked.size(), static_cast<size_t>(kAcksBeforeKill * 8 / 10));

  SqliteEventLog::Options options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<SqliteEventLog>> log =
      SqliteEventLog::Open(options);
  ASSERT_THAT(log, IsOk());
  const uint64_t last = (*log)->LastSeq();
  EXPECT_GE(last, max_acked);
  absl::StatusOr<uint64_t> first = (*log)->FirstSeq();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(*first, 1U);

  // Dense seqs, each id once.
  absl::StatusOr<std::vector<v1::Event>> events =
      (*log)->ReadAfter(0, static_cast<size_t>(last) + 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), last);
  std::map<std::string, uint64_t> stored;
  for (size_t i = 0; i < events->size(); ++i) {
    const v1::Event& event = (*events)[i];
    ASSERT_EQ(event.seq(), i + 1);
    EXPECT_TRUE(stored.emplace(event.id(), event.seq()).second)
        << "id " << event.id() << " stored twice";
  }
  // Every acknowledged event is there under its acknowledged seq.
  for (const auto& [id, seq] : acked) {
    auto it = stored.find(id);
    ASSERT_NE(it, stored.end()) << "acknowledged " << id << " lost";
    EXPECT_EQ(it->second, seq) << id;
  }
  // And the log carries on from where it was.
  absl::StatusOr<core::EventLog::AppendResult> next =
      testing::AppendAndWait(**log, MakeEvent("ev_after_crash"));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->seq, last + 1);
}

}  // namespace
}  // namespace vouchstream::store

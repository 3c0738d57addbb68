#pragma once
// Helpers for the SQLite event log's tests: a per-test temporary directory,
// a fake clock, event builders, and a gate that holds the writer thread so
// that a test decides deterministically what one group commit contains.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"

#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::store::testing {

// Matches an OK absl::StatusOr<T> whose value matches `matcher`. (Belongs in
// tests/testing/status_matchers.h; kept here until that file has it.)
MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a value that matches") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

using ::vouchstream::testing::TempDir;

// A clock that moves only when told to.
class FakeClock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration by) {
    absl::MutexLock lock(&mu_);
    now_ += by;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// An event with `id` and `type`, and, when not empty, an enrichment customer
// id and an envelope id.
v1::Event MakeEvent(const std::string& id,
                    const std::string& type = "publication.succeeded",
                    const std::string& customer_id = "",
                    const std::string& envelope_id = "");

// Appends and waits for `done`.
absl::StatusOr<core::EventLog::AppendResult> AppendAndWait(core::EventLog& log,
                                                           v1::Event event);

// Collects the results of asynchronous appends, in completion order.
class AppendCollector {
 public:
  explicit AppendCollector(int expected) : remaining_(expected) {}
  core::EventLog::AppendDone Done(std::string id);
  // Waits until `expected` appends are done.
  void Wait();

  struct Result {
    std::string id;
    absl::StatusOr<core::EventLog::AppendResult> result;
  };
  std::vector<Result> results() const;

 private:
  mutable absl::Mutex mu_;
  int remaining_ ABSL_GUARDED_BY(mu_);
  std::vector<Result> results_ ABSL_GUARDED_BY(mu_);
};

// Install as the commit listener: the first commit blocks in it until
// `Open()`, so appends made meanwhile queue up for the next batch. Records
// every committed event's seq. (Blocking the listener breaks its contract
// on purpose, in tests only.)
class WriterGate {
 public:
  core::EventLog::CommitListener Listener();
  // Waits until the writer thread is held in the listener.
  void WaitUntilHeld() { held_.WaitForNotification(); }
  void Open() { open_.Notify(); }
  std::vector<uint64_t> committed_seqs() const;

 private:
  absl::Notification held_;
  absl::Notification open_;
  mutable absl::Mutex mu_;
  std::vector<uint64_t> committed_seqs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::store::testing

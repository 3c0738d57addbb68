#pragma once
// `SqliteEventLog`: the embedded `core::EventLog`, one SQLite file in WAL
// mode. Thread-safe: every method may be called from any thread.
//
// Writes: one writer thread, owned by the log (started by `Open`, joined by
// `Shutdown` or the destructor), is the only SQLite writer. Concurrent
// `Append` calls queue their events; the writer takes everything queued (up
// to `Options::max_batch_size`), stores it in one transaction with one fsync
// (group commit), then calls each `done` and then the commit listener with
// the batch's new events. If the transaction fails, every `done` of the
// batch gets the error (nothing is acknowledged that is not committed) and
// the writer carries on with the next batch, e.g. once disk space returns.
// `Quarantine`, `MarkReprocessed`, `SetCursor` and `RunRetention` also run
// on the writer thread; they block the caller until they are durable.
//
// Reads run on a small pool of read-only connections and see the last
// committed state; they never wait for the writer.
//
//   SqliteEventLog::Options options;
//   options.path = "/var/lib/vouchstream/events.db";
//   options.max_age = absl::Hours(24 * 30);
//   absl::StatusOr<std::unique_ptr<SqliteEventLog>> log =
//       SqliteEventLog::Open(options);
//   if (!log.ok()) { return log.status(); }
//   (*log)->Append(std::move(event), [](auto result) { ... });
//
// Tables: `events` (seq, id, id_rule, envelope_id, type, received_at,
// campaign_id, customer_id, payload = the serialized Event), `quarantine`,
// `cursors` and `schema_version`; see schema.cc.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "service/core/telemetry.h"
#include "service/store/reader_pool.h"
#include "service/store/sqlite_db.h"

namespace vouchstream::store {

class SqliteEventLog final : public core::EventLog {
 public:
  // How hard each commit pushes to stable storage (SQLite's
  // `PRAGMA synchronous` in WAL mode).
  enum class Synchronous {
    // fsync the WAL on every commit: an acknowledged event survives a crash
    // of the process and of the machine (power loss).
    kFull,
    // fsync only at checkpoints: an acknowledged event survives a crash of
    // the process, but a power loss or kernel crash may lose the last
    // commits (never corrupts the file). Several times faster on slow disks.
    kNormal,
  };

  // Defaults:
  //   path              (required) the database file or a `file:` URI
  //   synchronous       kFull
  //   max_age           absl::InfiniteDuration() (keep forever)
  //   max_count         0 (no limit)
  //   retention_period  absl::Minutes(1)
  //   max_batch_size    1024 events per transaction
  //   reader_pool_size  4 idle read connections kept
  //   max_page_count    0 (SQLite's default limit)
  //   content_hash_window  core::kDefaultContentHashWindow (60 h)
  //   now               absl::Now
  struct Options {
    // The database file, created with its directory's permissions when it
    // does not exist. A `file:` URI is accepted (e.g. "file:x.db?mode=ro"
    // opens an existing log read-only: reads work, writes fail kUnavailable).
    std::string path;
    Synchronous synchronous = Synchronous::kFull;
    // Retention: events received longer ago than `max_age` (by `now`), and
    // all but the newest `max_count` events, are deleted by the writer
    // thread at `Open` and every `retention_period`. Only a prefix of the
    // log is ever deleted: `FirstSeq()` moves up, seqs are never renumbered
    // or reused.
    absl::Duration max_age = absl::InfiniteDuration();
    uint64_t max_count = 0;
    // Measured in real time, whatever `now` says.
    absl::Duration retention_period = absl::Minutes(1);
    // The most events one group-commit transaction takes.
    size_t max_batch_size = 1024;
    size_t reader_pool_size = 4;
    // Caps the database file at this many pages (SQLite's
    // `PRAGMA max_page_count`; 4 KiB pages); appends beyond fail with
    // kUnavailable "database or disk is full", as on a full disk. 0 keeps
    // SQLite's default.
    int64_t max_page_count = 0;
    // How long a content-hash id deduplicates (see `core::EventLog::Append`).
    absl::Duration content_hash_window = core::kDefaultContentHashWindow;
    // The clock for retention by age, for `received_at` of events that have
    // none, for `quarantined_at` and for the content-hash window. Tests
    // inject a fake one.
    std::function<absl::Time()> now = [] { return absl::Now(); };
    // Told of each commit and remote round trip (metrics). Must outlive
    // the log.
    core::Telemetry* telemetry = core::Telemetry::None();
  };

  // Counters since `Open`, for tests and metrics.
  struct Stats {
    // Group-commit transactions that committed, and the events they stored.
    uint64_t batches_committed = 0;
    uint64_t events_committed = 0;
    // Appends answered as duplicates.
    uint64_t duplicates = 0;
    // Transactions that failed (their appends all got the error).
    uint64_t batches_failed = 0;
    // The largest batch taken, in appends.
    uint64_t largest_batch = 0;
    // Events deleted by retention, and retention passes that failed (their
    // error is also returned by `RunRetention`).
    uint64_t events_expired = 0;
    uint64_t retention_failures = 0;
  };

  // Opens (creating if needed) the log at `options.path`, applies pending
  // schema migrations, runs retention once and starts the writer thread.
  // A new database file is created 0600 (its `-wal` and `-shm` get the same
  // mode) and missing directories of its path 0700; existing files and
  // directories keep their modes.
  // Errors: kInvalidArgument (bad options), kUnavailable (cannot open or
  // write the file; the message names the SQLite error),
  // kFailedPrecondition (the file's schema is newer than this binary),
  // kDataLoss (not a database, or corrupt).
  static absl::StatusOr<std::unique_ptr<SqliteEventLog>> Open(
      const Options& options);

  SqliteEventLog(const SqliteEventLog&) = delete;
  SqliteEventLog& operator=(const SqliteEventLog&) = delete;
  // Calls `Shutdown()`.
  ~SqliteEventLog() override;

  // core::EventLog:
  //
  // `Append` calls `done` inline, before it returns, when it rejects the
  // event up front (empty id: kInvalidArgument; after `Shutdown`:
  // kUnavailable); otherwise on the writer thread. Events without
  // `received_at` get the time of their commit.
  void Append(v1::Event event, AppendDone done) override;
  void SetCommitListener(CommitListener listener) override;
  absl::StatusOr<std::vector<v1::Event>> ReadAfter(uint64_t after_seq,
                                                   size_t limit) override;
  // Filters by type in SQL (GLOB) and looks at most 16,384 seqs
  // past `after_seq` per call, so a rare type costs bounded time per page.
  absl::StatusOr<ReadResult> ReadMatching(const ReadRequest& request) override;
  absl::StatusOr<v1::Event> GetBySeq(uint64_t seq) override;
  absl::StatusOr<v1::Event> GetById(absl::string_view type,
                                    absl::string_view id) override;
  using core::EventLog::GetById;
  uint64_t LastSeq() override;
  absl::StatusOr<uint64_t> FirstSeq() override;
  absl::StatusOr<uint64_t> SeqBefore(absl::Time time) override;
  absl::StatusOr<uint64_t> Quarantine(v1::QuarantinedEvent entry) override;
  absl::StatusOr<std::vector<v1::QuarantinedEvent>> ListQuarantined(
      uint64_t after_id, size_t limit) override;
  absl::StatusOr<v1::QuarantinedEvent> GetQuarantined(uint64_t id) override;
  absl::Status MarkReprocessed(uint64_t id, uint64_t seq) override;
  void Shutdown() override;

  // Subscriber cursors: the last seq a named subscriber has processed.
  // `GetCursor` returns kNotFound for a name never set.
  absl::StatusOr<uint64_t> GetCursor(absl::string_view name) override;
  absl::Status SetCursor(absl::string_view name, uint64_t seq) override;

  // Applies retention now (it also runs every `retention_period`) and
  // returns once done.
  absl::Status RunRetention();

  Stats stats() const;

 private:
  struct PendingAppend {
    v1::Event event;
    AppendDone done;
  };
  // A write other than an append, run by the writer thread on its
  // connection.
  using WriteTask = absl::AnyInvocable<void()>;
  struct WriterStatements;

  SqliteEventLog(Options options, std::unique_ptr<Database> writer_db,
                 std::unique_ptr<WriterStatements> statements,
                 uint64_t last_seq);

  // Queues `task` for the writer thread, or fails with kUnavailable after
  // `Shutdown`.
  absl::Status EnqueueTask(WriteTask task);
  // Runs `fn` on the writer thread and waits for its result.
  template <typename T>
  T RunOnWriter(absl::AnyInvocable<T()> fn);

  // The writer thread's loop and its steps. Only the writer thread touches
  // `writer_db_`, `statements_` and `committed_seq_` once it has started.
  void WriterLoop();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CommitBatch(std::vector<PendingAppend>& batch);
  absl::Status WriteBatch(std::vector<PendingAppend>& batch,
                          std::vector<core::EventLog::AppendResult>& results);
  absl::Status ApplyRetention();
  absl::Status InTransaction(absl::string_view what,
                             absl::AnyInvocable<absl::Status()> body);

  const Options options_;
  std::unique_ptr<Database> writer_db_;
  std::unique_ptr<WriterStatements> statements_;
  uint64_t committed_seq_;
  ReaderPool readers_;
  std::atomic<uint64_t> last_seq_;

  mutable absl::Mutex mu_;
  bool accepting_ ABSL_GUARDED_BY(mu_) = true;
  std::deque<PendingAppend> appends_ ABSL_GUARDED_BY(mu_);
  std::deque<WriteTask> tasks_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
  // Set by `SetCommitListener`; the writer thread moves it into
  // `writer_listener_`, which only it touches, so that it never calls out
  // under `mu_`.
  CommitListener listener_ ABSL_GUARDED_BY(mu_);
  CommitListener writer_listener_;

  // Serializes `Shutdown` so that only one caller joins the writer.
  absl::Mutex shutdown_mu_;
  std::thread writer_ ABSL_GUARDED_BY(shutdown_mu_);
};

}  // namespace vouchstream::store

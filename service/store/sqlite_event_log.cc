#include "service/store/sqlite_event_log.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include <sys/stat.h>

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "service/store/reader_pool.h"
#include "service/store/schema.h"
#include "service/store/sqlite_db.h"

namespace vouchstream::store {
namespace {

using ::google::protobuf::util::TimeUtil;
using AppendResult = core::EventLog::AppendResult;

// Retention deletes at most this many events per transaction, so that
// appends queued meanwhile wait for one short transaction, not for all.
constexpr int64_t kRetentionChunk = 10000;

int64_t ToMicros(const google::protobuf::Timestamp& timestamp) {
  return TimeUtil::TimestampToMicroseconds(timestamp);
}

// SQLite binds signed 64-bit integers; seqs and limits beyond that range
// cannot exist in the file, so clamp instead of wrapping around.
int64_t ClampToInt64(uint64_t value) {
  return static_cast<int64_t>(std::min<uint64_t>(
      value, static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
}

// ReadMatching looks at most this many seqs past its cursor per call.
constexpr uint64_t kMaxScanSeqs = 16384;

// `pattern` (EventFilter::TypeMatches: `*` is any run, the rest literal) as
// an SQLite GLOB pattern, whose other metacharacters are escaped.
std::string TypeGlob(absl::string_view pattern) {
  std::string glob;
  glob.reserve(pattern.size());
  for (const char c : pattern) {
    if (c == '?' || c == '[') {
      glob.push_back('[');
      glob.push_back(c);
      glob.push_back(']');
    } else {
      glob.push_back(c);
    }
  }
  return glob;
}

absl::StatusOr<v1::Event> ParseEvent(absl::string_view payload, int64_t seq) {
  v1::Event event;
  if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError(
        absl::StrCat("event log: the payload of seq ", seq, " does not parse"));
  }
  return event;
}

// Reads a quarantine row: quarantine_id, reprocessed_seq, entry.
absl::StatusOr<v1::QuarantinedEvent> ParseQuarantined(const Statement& stmt) {
  v1::QuarantinedEvent entry;
  const absl::string_view blob = stmt.ColumnBlob(2);
  if (!entry.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
    return absl::DataLossError(absl::StrCat("event log: quarantine entry ",
                                            stmt.ColumnInt64(0),
                                            " does not parse"));
  }
  entry.set_quarantine_id(static_cast<uint64_t>(stmt.ColumnInt64(0)));
  entry.set_reprocessed_seq(static_cast<uint64_t>(stmt.ColumnInt64(1)));
  return entry;
}

absl::Status WithContext(const absl::Status& status, absl::string_view what) {
  return {status.code(), absl::StrCat(what, ": ", status.message())};
}

// Creates the store's missing directories (0700) and, if the database file
// does not exist yet, creates it empty with mode 0600 before SQLite opens it:
// SQLite would create it 0644 (less the umask), and it creates `-wal` and
// `-shm` with the database file's permissions, so all three stay private.
// A `file:` URI or ":memory:" is left to SQLite. Failures are not reported
// here: SQLite's open then fails and WithOpenContext says why.
void CreatePrivately(const std::string& path) {
  if (path.empty() || path == ":memory:" || absl::StartsWith(path, "file:")) {
    return;
  }
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    // EEXIST for the directories already there; their modes are the
    // operator's.
    mkdir(path.substr(0, slash).c_str(), 0700);
  }
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    close(fd);
  }
}

// SQLite answers "unable to open database file" alike for a missing, a
// read-only and a full directory; an operator needs to know which. Adds the
// reason when `path`'s directory is not writable.
absl::Status WithOpenContext(const absl::Status& status,
                             const std::string& path, absl::string_view what) {
  absl::Status with = WithContext(status, what);
  if (status.code() != absl::StatusCode::kUnavailable ||
      absl::StartsWith(path, "file:")) {
    return with;
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  if (access(dir.c_str(), W_OK) != 0) {
    return {with.code(),
            absl::StrCat(with.message(), "; directory \"", dir,
                         "\" is not writable: ", std::strerror(errno))};
  }
  return with;
}

// Counts `event` in its customer's per-type history (`bump_history`) and
// stores how many publications came before it in the event's enrichment.
// Events without a customer id are left alone.
absl::Status RecordCustomerHistory(Statement& bump_history, v1::Event* event) {
  const std::string& customer_id = event->enrichment().customer_id();
  if (!customer_id.empty()) {
    bump_history.Reset();
    bump_history.BindText(1, customer_id);
    bump_history.BindText(2, event->type());
    absl::StatusOr<bool> counted = bump_history.Step();
    if (!counted.ok()) {
      return counted.status();
    }
    if (!*counted) {
      return absl::InternalError("history counter returned no row");
    }
    const auto prior = static_cast<uint64_t>(bump_history.ColumnInt64(0) - 1);
    bump_history.Reset();
    v1::CustomerHistory& history =
        *event->mutable_enrichment()->mutable_history();
    history.set_prior_publications(prior);
    history.set_first_publication(prior == 0);
  }
  return absl::OkStatus();
}

}  // namespace

// The writer connection's hot statements, prepared once.
struct SqliteEventLog::WriterStatements {
  Statement begin;
  Statement commit;
  Statement rollback;
  Statement find_duplicate;
  Statement bump_history;
  Statement insert;

  static absl::StatusOr<std::unique_ptr<WriterStatements>> Prepare(
      Database& db) {
    auto statements = std::make_unique<WriterStatements>();
    const std::array<std::pair<Statement*, absl::string_view>, 6> all = {{
        {&statements->begin, "BEGIN IMMEDIATE"},
        {&statements->commit, "COMMIT"},
        {&statements->rollback, "ROLLBACK"},
        // Two indexed lookups; UNION ALL keeps each on its own index. A
        // content-hash id (rule 4) matches only within the window (?3: the
        // oldest `received_at` that still counts).
        {&statements->find_duplicate,
         "SELECT seq FROM events WHERE id = ?1 AND type = ?4 AND"
         " (id_rule <> 4 OR received_at >= ?3) UNION ALL "
         "SELECT seq FROM events WHERE envelope_id = ?2 LIMIT 1"},
        // Returns the count after this event; the event's prior count is one
        // less.
        {&statements->bump_history,
         "INSERT INTO customer_history (customer_id, type, count)"
         " VALUES (?1, ?2, 1) ON CONFLICT (customer_id, type)"
         " DO UPDATE SET count = count + 1 RETURNING count"},
        {&statements->insert,
         "INSERT INTO events (seq, id, envelope_id, type, received_at,"
         " campaign_id, customer_id, payload, id_rule)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
    }};
    for (const auto& [stmt, sql] : all) {
      absl::StatusOr<Statement> prepared = db.Prepare(sql);
      if (!prepared.ok()) {
        return prepared.status();
      }
      *stmt = *std::move(prepared);
    }
    return statements;
  }
};

absl::StatusOr<std::unique_ptr<SqliteEventLog>> SqliteEventLog::Open(
    const Options& options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("event log: options.path is empty");
  }
  if (options.max_batch_size == 0) {
    return absl::InvalidArgumentError(
        "event log: options.max_batch_size must be at least 1");
  }
  if (options.retention_period <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "event log: options.retention_period must be positive");
  }
  if (options.max_age <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "event log: options.max_age must be positive");
  }
  if (options.content_hash_window < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "event log: options.content_hash_window must not be negative");
  }
  if (!options.now) {
    return absl::InvalidArgumentError("event log: options.now is empty");
  }
  const std::string what = absl::StrCat("event log \"", options.path, "\"");
  CreatePrivately(options.path);
  absl::StatusOr<std::unique_ptr<Database>> db =
      Database::Open(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db.ok()) {
    return WithOpenContext(db.status(), options.path, what);
  }
  // Another process holding the file (e.g. a second server by mistake) makes
  // us wait a little before failing, rather than failing at once.
  // A 32 MiB page cache (SQLite's default is 2 MiB) keeps the indexes'
  // hot pages in memory: the writer then reads almost nothing back from the
  // WAL while it inserts.
  absl::Status status =
      (*db)->Exec("PRAGMA busy_timeout = 5000; PRAGMA cache_size = -32768");
  if (!status.ok()) {
    return WithOpenContext(status, options.path, what);
  }
  {
    absl::StatusOr<Statement> wal = (*db)->Prepare("PRAGMA journal_mode = WAL");
    if (!wal.ok()) {
      return WithContext(wal.status(), what);
    }
    absl::StatusOr<bool> row = wal->Step();
    if (!row.ok()) {
      return WithContext(row.status(), what);
    }
    if (!*row || absl::AsciiStrToLower(wal->ColumnText(0)) != "wal") {
      return absl::UnavailableError(
          absl::StrCat(what, ": cannot switch to WAL mode (journal mode is \"",
                       *row ? wal->ColumnText(0) : "", "\")"));
    }
  }
  status = (*db)->Exec(options.synchronous == Synchronous::kFull
                           ? "PRAGMA synchronous = FULL"
                           : "PRAGMA synchronous = NORMAL");
  if (status.ok() && options.max_page_count > 0) {
    status = (*db)->Exec(
        absl::StrCat("PRAGMA max_page_count = ", options.max_page_count));
  }
  if (status.ok()) {
    status = ApplyMigrations(**db, options.now());
  }
  if (!status.ok()) {
    return WithContext(status, what);
  }
  // `sqlite_sequence` remembers the highest seq ever assigned, even once
  // retention has deleted it.
  absl::StatusOr<int64_t> last_seq = (*db)->QueryInt64(
      "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence"
      " WHERE name = 'events'), 0), COALESCE((SELECT MAX(seq) FROM events),"
      " 0))",
      0);
  if (!last_seq.ok()) {
    return WithContext(last_seq.status(), what);
  }
  absl::StatusOr<std::unique_ptr<WriterStatements>> statements =
      WriterStatements::Prepare(**db);
  if (!statements.ok()) {
    return WithContext(statements.status(), what);
  }
  std::unique_ptr<SqliteEventLog> log(
      new SqliteEventLog(options, *std::move(db), *std::move(statements),
                         static_cast<uint64_t>(*last_seq)));
  // The writer thread has not started: this thread is still the only one
  // using the writer connection.
  status = log->ApplyRetention();
  if (!status.ok()) {
    return WithContext(status, what);
  }
  {
    absl::MutexLock lock(&log->shutdown_mu_);
    log->writer_ = std::thread([raw = log.get()] { raw->WriterLoop(); });
  }
  return log;
}

SqliteEventLog::SqliteEventLog(Options options,
                               std::unique_ptr<Database> writer_db,
                               std::unique_ptr<WriterStatements> statements,
                               uint64_t last_seq)
    : options_(std::move(options)),
      writer_db_(std::move(writer_db)),
      statements_(std::move(statements)),
      committed_seq_(last_seq),
      readers_(options_.path, options_.reader_pool_size),
      last_seq_(last_seq) {}

SqliteEventLog::~SqliteEventLog() { Shutdown(); }

void SqliteEventLog::Shutdown() {
  absl::MutexLock shutdown_lock(&shutdown_mu_);
  {
    absl::MutexLock lock(&mu_);
    accepting_ = false;
  }
  if (writer_.joinable()) {
    writer_.join();
  }
}

void SqliteEventLog::Append(v1::Event event, AppendDone done) {
  if (event.id().empty()) {
    done(absl::InvalidArgumentError("event.id: must not be empty"));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (accepting_) {
      appends_.push_back({std::move(event), std::move(done)});
      return;
    }
  }
  done(absl::UnavailableError("event log: shut down, not accepting appends"));
}

void SqliteEventLog::SetCommitListener(CommitListener listener) {
  absl::MutexLock lock(&mu_);
  listener_ = std::move(listener);
}

absl::Status SqliteEventLog::EnqueueTask(WriteTask task) {
  absl::MutexLock lock(&mu_);
  if (!accepting_) {
    return absl::UnavailableError("event log: shut down, not accepting writes");
  }
  tasks_.push_back(std::move(task));
  return absl::OkStatus();
}

template <typename T>
T SqliteEventLog::RunOnWriter(absl::AnyInvocable<T()> fn) {
  std::optional<T> result;
  absl::Notification finished;
  absl::Status queued = EnqueueTask([&] {
    result.emplace(fn());
    finished.Notify();
  });
  if (!queued.ok()) {
    return queued;
  }
  finished.WaitForNotification();
  return *std::move(result);
}

bool SqliteEventLog::HasWorkOrStopping() const {
  return !appends_.empty() || !tasks_.empty() || !accepting_;
}

void SqliteEventLog::WriterLoop() {
  absl::Time next_retention = absl::Now() + options_.retention_period;
  for (;;) {
    std::vector<PendingAppend> batch;
    std::deque<WriteTask> tasks;
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithDeadline(
          absl::Condition(this, &SqliteEventLog::HasWorkOrStopping),
          next_retention);
      tasks.swap(tasks_);
      const size_t take = std::min(appends_.size(), options_.max_batch_size);
      batch.reserve(take);
      for (size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(appends_.front()));
        appends_.pop_front();
      }
      if (listener_) {
        writer_listener_ = std::move(listener_);
        listener_ = nullptr;
      }
      // Once appends are refused nothing new can arrive: exit after this
      // round if it drains the queues.
      stop = !accepting_ && appends_.empty() && tasks_.empty();
    }
    for (WriteTask& task : tasks) {
      task();
    }
    if (!batch.empty()) {
      CommitBatch(batch);
    }
    if (absl::Now() >= next_retention) {
      ApplyRetention().IgnoreError();  // Counted in `stats_`.
      next_retention = absl::Now() + options_.retention_period;
    }
    if (stop) {
      return;
    }
  }
}

absl::Status SqliteEventLog::InTransaction(
    absl::string_view what, absl::AnyInvocable<absl::Status()> body) {
  statements_->begin.Reset();
  absl::Status status = statements_->begin.Run();
  if (status.ok()) {
    status = body();
  }
  if (status.ok()) {
    statements_->commit.Reset();
    status = statements_->commit.Run();
  }
  if (!status.ok()) {
    // SQLite rolls back by itself on some errors (e.g. SQLITE_FULL during
    // COMMIT); roll back whatever is left.
    if (writer_db_->InTransaction()) {
      statements_->rollback.Reset();
      statements_->rollback.Run().IgnoreError();
    }
    return WithContext(status, what);
  }
  return absl::OkStatus();
}

absl::Status SqliteEventLog::WriteBatch(std::vector<PendingAppend>& batch,
                                        std::vector<AppendResult>& results) {
  uint64_t seq = committed_seq_;
  const absl::Time now = options_.now();
  absl::Status status = InTransaction(
      absl::StrCat("event log: appending a batch of ", batch.size(), " events"),
      [&]() -> absl::Status {
        WriterStatements& s = *statements_;
        std::string payload;
        for (PendingAppend& pending : batch) {
          v1::Event& event = pending.event;
          // Both branches must be views: a `""` branch would make the
          // conditional a temporary std::string and leave this dangling.
          const absl::string_view envelope_id =
              event.envelope().has_id()
                  ? absl::string_view(event.envelope().id())
                  : absl::string_view();
          // Rows inserted earlier in this transaction are visible here, so
          // this also catches a duplicate within the batch.
          s.find_duplicate.Reset();
          s.find_duplicate.BindText(1, event.id());
          s.find_duplicate.BindTextOrNull(2, envelope_id);
          s.find_duplicate.BindInt64(
              3, absl::ToUnixMicros(now - options_.content_hash_window));
          s.find_duplicate.BindText(4, event.type());
          absl::StatusOr<bool> found = s.find_duplicate.Step();
          if (!found.ok()) {
            return found.status();
          }
          if (*found) {
            results.push_back(
                {static_cast<uint64_t>(s.find_duplicate.ColumnInt64(0)), true});
            continue;
          }
          event.set_seq(++seq);
          if (!event.has_received_at()) {
            *event.mutable_received_at() =
                TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
          }
          const std::string& customer_id = event.enrichment().customer_id();
          absl::Status counted = RecordCustomerHistory(s.bump_history, &event);
          if (!counted.ok()) {
            return counted;
          }
          payload.clear();
          event.SerializeToString(&payload);
          s.insert.Reset();
          s.insert.BindInt64(1, static_cast<int64_t>(seq));
          s.insert.BindText(2, event.id());
          s.insert.BindTextOrNull(3, envelope_id);
          s.insert.BindText(4, event.type());
          s.insert.BindInt64(5, ToMicros(event.received_at()));
          s.insert.BindTextOrNull(6, event.enrichment().campaign_id());
          s.insert.BindTextOrNull(7, customer_id);
          s.insert.BindBlob(8, payload);
          s.insert.BindInt64(9, event.id_rule());
          absl::Status inserted = s.insert.Run();
          s.insert.Reset();  // Unbinds `payload` before it changes.
          if (!inserted.ok()) {
            return inserted;
          }
          results.push_back({seq, false});
        }
        return absl::OkStatus();
      });
  if (status.ok()) {
    committed_seq_ = seq;
  }
  return status;
}

void SqliteEventLog::CommitBatch(std::vector<PendingAppend>& batch) {
  std::vector<AppendResult> results;
  results.reserve(batch.size());
  const absl::Time began = absl::Now();
  const absl::Status status = WriteBatch(batch, results);
  if (!status.ok()) {
    {
      absl::MutexLock lock(&mu_);
      ++stats_.batches_failed;
      stats_.largest_batch =
          std::max<uint64_t>(stats_.largest_batch, batch.size());
    }
    for (PendingAppend& pending : batch) {
      pending.done(status);
    }
    return;
  }
  options_.telemetry->OnCommit(absl::Now() - began, batch.size());
  last_seq_.store(committed_seq_, std::memory_order_release);
  std::vector<v1::Event> committed;
  uint64_t duplicates = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (results[i].duplicate) {
      ++duplicates;
    } else {
      committed.push_back(std::move(batch[i].event));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    ++stats_.batches_committed;
    stats_.events_committed += committed.size();
    stats_.duplicates += duplicates;
    stats_.largest_batch =
        std::max<uint64_t>(stats_.largest_batch, batch.size());
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].done(results[i]);
  }
  if (writer_listener_ && !committed.empty()) {
    writer_listener_(committed);
  }
}

absl::Status SqliteEventLog::ApplyRetention() {
  // Everything below `keep_from` goes; only ever a prefix of the log, so
  // that what remains stays dense.
  uint64_t keep_from = 0;
  if (options_.max_count > 0 && committed_seq_ > options_.max_count) {
    keep_from = committed_seq_ - options_.max_count + 1;
  }
  absl::Status status;
  if (options_.max_age != absl::InfiniteDuration()) {
    const int64_t cutoff =
        absl::ToUnixMicros(options_.now() - options_.max_age);
    // `+received_at` keeps SQLite off the received_at index: walking in seq
    // order from the oldest event stops at the first young one, so this
    // costs what is deleted, not the size of the log.
    absl::StatusOr<Statement> young = writer_db_->Prepare(
        "SELECT seq FROM events WHERE +received_at >= ?1 ORDER BY seq LIMIT 1");
    if (young.ok()) {
      young->BindInt64(1, cutoff);
      absl::StatusOr<bool> row = young->Step();
      if (row.ok()) {
        keep_from = std::max<uint64_t>(
            keep_from, *row ? static_cast<uint64_t>(young->ColumnInt64(0))
                            : committed_seq_ + 1);
      } else {
        status = row.status();
      }
    } else {
      status = young.status();
    }
  }
  absl::StatusOr<int64_t> first =
      status.ok() ? writer_db_->QueryInt64("SELECT MIN(seq) FROM events", 0)
                  : absl::StatusOr<int64_t>(status);
  if (!first.ok()) {
    status = first.status();
  }
  uint64_t expired = 0;
  for (auto from = static_cast<uint64_t>(status.ok() ? *first : 0);
       status.ok() && from != 0 && from < keep_from;) {
    const uint64_t to = std::min<uint64_t>(
        keep_from, from + static_cast<uint64_t>(kRetentionChunk));
    status = InTransaction("event log: applying retention", [&] {
      absl::StatusOr<Statement> erase =
          writer_db_->Prepare("DELETE FROM events WHERE seq < ?1");
      if (!erase.ok()) {
        return erase.status();
      }
      erase->BindInt64(1, static_cast<int64_t>(to));
      absl::Status run = erase->Run();
      expired += static_cast<uint64_t>(writer_db_->Changes());
      return run;
    });
    from = to;
  }
  absl::MutexLock lock(&mu_);
  stats_.events_expired += expired;
  if (!status.ok()) {
    ++stats_.retention_failures;
  }
  return status;
}

absl::Status SqliteEventLog::RunRetention() {
  return RunOnWriter<absl::Status>([this] { return ApplyRetention(); });
}

absl::StatusOr<std::vector<v1::Event>> SqliteEventLog::ReadAfter(
    uint64_t after_seq, size_t limit) {
  std::vector<v1::Event> events;
  if (limit == 0) {
    return events;
  }
  absl::StatusOr<ReaderPool::Lease> lease = readers_.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  absl::StatusOr<Statement*> stmt = lease->Prepare(
      "SELECT seq, payload FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!stmt.ok()) {
    return stmt.status();
  }
  (*stmt)->BindInt64(1, ClampToInt64(after_seq));
  (*stmt)->BindInt64(2, ClampToInt64(limit));
  events.reserve(std::min<size_t>(limit, 1024));
  for (;;) {
    absl::StatusOr<bool> row = (*stmt)->Step();
    if (!row.ok()) {
      return row.status();
    }
    if (!*row) {
      return events;
    }
    absl::StatusOr<v1::Event> event =
        ParseEvent((*stmt)->ColumnBlob(1), (*stmt)->ColumnInt64(0));
    if (!event.ok()) {
      return event.status();
    }
    events.push_back(*std::move(event));
  }
}

absl::StatusOr<core::EventLog::ReadResult> SqliteEventLog::ReadMatching(
    const ReadRequest& request) {
  if (request.types.empty()) {
    return EventLog::ReadMatching(request);
  }
  ReadResult result;
  result.scanned_through = request.after_seq;
  // Everything up to `last` is committed, so the scan's end is a fact.
  const uint64_t last = LastSeq();
  if (request.limit == 0 || last <= request.after_seq) {
    return result;
  }
  const uint64_t until =
      request.after_seq + std::min(last - request.after_seq, kMaxScanSeqs);
  absl::StatusOr<ReaderPool::Lease> lease = readers_.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  std::string sql =
      "SELECT seq, payload FROM events WHERE seq > ?1 AND seq <= ?2 AND (";
  for (size_t i = 0; i < request.types.size(); ++i) {
    absl::StrAppend(&sql, i == 0 ? "" : " OR ", "type GLOB ?", i + 4);
  }
  absl::StrAppend(&sql, ") ORDER BY seq LIMIT ?3");
  absl::StatusOr<Statement*> stmt = lease->Prepare(sql);
  if (!stmt.ok()) {
    return stmt.status();
  }
  (*stmt)->BindInt64(1, ClampToInt64(request.after_seq));
  (*stmt)->BindInt64(2, ClampToInt64(until));
  (*stmt)->BindInt64(3, ClampToInt64(request.limit));
  // Bound without a copy (SQLITE_STATIC): the patterns outlive the steps.
  std::vector<std::string> globs;
  globs.reserve(request.types.size());
  for (size_t i = 0; i < request.types.size(); ++i) {
    globs.push_back(TypeGlob(request.types[i]));
    (*stmt)->BindText(static_cast<int>(i + 4), globs.back());
  }
  for (;;) {
    absl::StatusOr<bool> row = (*stmt)->Step();
    if (!row.ok()) {
      return row.status();
    }
    if (!*row) {
      break;
    }
    absl::StatusOr<v1::Event> event =
        ParseEvent((*stmt)->ColumnBlob(1), (*stmt)->ColumnInt64(0));
    if (!event.ok()) {
      return event.status();
    }
    result.events.push_back(*std::move(event));
  }
  // A full page ends at its last event; a short one saw the whole range.
  result.scanned_through = result.events.size() >= request.limit
                               ? result.events.back().seq()
                               : until;
  return result;
}

absl::StatusOr<v1::Event> SqliteEventLog::GetBySeq(uint64_t seq) {
  absl::StatusOr<ReaderPool::Lease> lease = readers_.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  absl::StatusOr<Statement*> stmt =
      lease->Prepare("SELECT payload FROM events WHERE seq = ?1");
  if (!stmt.ok()) {
    return stmt.status();
  }
  (*stmt)->BindInt64(1, ClampToInt64(seq));
  absl::StatusOr<bool> row = (*stmt)->Step();
  if (!row.ok()) {
    return row.status();
  }
  if (!*row) {
    return absl::NotFoundError(absl::StrCat("event seq ", seq, " not found"));
  }
  return ParseEvent((*stmt)->ColumnBlob(0), ClampToInt64(seq));
}

absl::StatusOr<v1::Event> SqliteEventLog::GetById(absl::string_view type,
                                                  absl::string_view id) {
  absl::StatusOr<ReaderPool::Lease> lease = readers_.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  // The newest with that id when `type` is empty.
  absl::StatusOr<Statement*> stmt = lease->Prepare(
      "SELECT seq, payload FROM events WHERE id = ?1 AND"
      " (?2 IS NULL OR type = ?2) ORDER BY seq DESC LIMIT 1");
  if (!stmt.ok()) {
    return stmt.status();
  }
  (*stmt)->BindText(1, id);
  (*stmt)->BindTextOrNull(2, type);
  absl::StatusOr<bool> row = (*stmt)->Step();
  if (!row.ok()) {
    return row.status();
  }
  if (!*row) {
    return absl::NotFoundError(
        type.empty()
            ? absl::StrCat("event id \"", id, "\" not found")
            : absl::StrCat("event \"", type, "\" id \"", id, "\" not found"));
  }
  return ParseEvent((*stmt)->ColumnBlob(1), (*stmt)->ColumnInt64(0));
}

uint64_t SqliteEventLog::LastSeq() {
  return last_seq_.load(std::memory_order_acquire);
}

absl::StatusOr<uint64_t> SqliteEventLog::FirstSeq() {
  absl::StatusOr<ReaderPool::Lease> lease = readers_.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  // One statement, one snapshot: an empty log's first seq is one past the
  // last ever assigned.
  absl::StatusOr<Statement*> stmt = lease->Prepare(
      "SELECT COALESCE((SELECT MIN(seq) FROM events),"
      " (SELECT seq FROM sqlite_sequence WHERE name = 'events') + 1, 1)");
  if (!stmt.ok()) {
    return stmt.status();
  }
  absl::StatusOr<bool> row = (*stmt)->Step();
  if (!row.ok()) {
    return row.status();
  }
  return static_cast<uint64_t>((*stmt)->ColumnInt64(0));
}

absl::StatusOr<uint64_t> SqliteEventLog::SeqBefore(absl::Time time) {
  absl::StatusOr<ReaderPool::Lease> lease = readers_.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  // Concurrent publishers may commit slightly out of received_at order:
  // answer with the seq before the first event received at or after `time`,
  // so that reading on from it misses none of those. When no event is that
  // young, everything is before `time`.
  absl::StatusOr<Statement*> stmt = lease->Prepare(
      "SELECT COALESCE((SELECT MIN(seq) FROM events WHERE received_at >= ?1)"
      " - 1, (SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)");
  if (!stmt.ok()) {
    return stmt.status();
  }
  (*stmt)->BindInt64(1, absl::ToUnixMicros(time));
  absl::StatusOr<bool> row = (*stmt)->Step();
  if (!row.ok()) {
    return row.status();
  }
  return static_cast<uint64_t>((*stmt)->ColumnInt64(0));
}

absl::StatusOr<uint64_t> SqliteEventLog::Quarantine(
    v1::QuarantinedEvent entry) {
  return RunOnWriter<absl::StatusOr<uint64_t>>(
      [this, &entry]() -> absl::StatusOr<uint64_t> {
        if (!entry.has_quarantined_at()) {
          *entry.mutable_quarantined_at() = TimeUtil::MicrosecondsToTimestamp(
              absl::ToUnixMicros(options_.now()));
        }
        entry.clear_quarantine_id();
        const uint64_t reprocessed_seq = entry.reprocessed_seq();
        entry.clear_reprocessed_seq();
        const std::string blob = entry.SerializeAsString();
        int64_t id = 0;
        absl::Status status =
            InTransaction("event log: quarantining an event", [&] {
              absl::StatusOr<Statement> insert = writer_db_->Prepare(
                  "INSERT INTO quarantine (quarantined_at, reprocessed_seq,"
                  " entry) VALUES (?1, ?2, ?3)");
              if (!insert.ok()) {
                return insert.status();
              }
              insert->BindInt64(1, ToMicros(entry.quarantined_at()));
              insert->BindInt64(2, ClampToInt64(reprocessed_seq));
              insert->BindBlob(3, blob);
              absl::Status run = insert->Run();
              id = sqlite3_last_insert_rowid(writer_db_->handle());
              return run;
            });
        if (!status.ok()) {
          return status;
        }
        return static_cast<uint64_t>(id);
      });
}

absl::StatusOr<std::vector<v1::QuarantinedEvent>>
SqliteEventLog::ListQuarantined(uint64_t after_id, size_t limit) {
  std::vector<v1::QuarantinedEvent> entries;
  if (limit == 0) {
    return entries;
  }
  absl::StatusOr<ReaderPool::Lease> lease = readers_.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  absl::StatusOr<Statement*> stmt = lease->Prepare(
      "SELECT quarantine_id, reprocessed_seq, entry FROM quarantine"
      " WHERE quarantine_id > ?1 ORDER BY quarantine_id LIMIT ?2");
  if (!stmt.ok()) {
    return stmt.status();
  }
  (*stmt)->BindInt64(1, ClampToInt64(after_id));
  (*stmt)->BindInt64(2, ClampToInt64(limit));
  for (;;) {
    absl::StatusOr<bool> row = (*stmt)->Step();
    if (!row.ok()) {
      return row.status();
    }
    if (!*row) {
      return entries;
    }
    absl::StatusOr<v1::QuarantinedEvent> entry = ParseQuarantined(**stmt);
    if (!entry.ok()) {
      return entry.status();
    }
    entries.push_back(*std::move(entry));
  }
}

absl::StatusOr<v1::QuarantinedEvent> SqliteEventLog::GetQuarantined(
    uint64_t id) {
  absl::StatusOr<ReaderPool::Lease> lease = readers_.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  absl::StatusOr<Statement*> stmt = lease->Prepare(
      "SELECT quarantine_id, reprocessed_seq, entry FROM quarantine"
      " WHERE quarantine_id = ?1");
  if (!stmt.ok()) {
    return stmt.status();
  }
  (*stmt)->BindInt64(1, ClampToInt64(id));
  absl::StatusOr<bool> row = (*stmt)->Step();
  if (!row.ok()) {
    return row.status();
  }
  if (!*row) {
    return absl::NotFoundError(
        absl::StrCat("quarantine entry ", id, " not found"));
  }
  return ParseQuarantined(**stmt);
}

absl::Status SqliteEventLog::MarkReprocessed(uint64_t id, uint64_t seq) {
  return RunOnWriter<absl::Status>([this, id, seq]() -> absl::Status {
    bool found = false;
    absl::Status status =
        InTransaction("event log: marking a quarantine entry reprocessed", [&] {
          absl::StatusOr<Statement> update = writer_db_->Prepare(
              "UPDATE quarantine SET reprocessed_seq = ?1"
              " WHERE quarantine_id = ?2");
          if (!update.ok()) {
            return update.status();
          }
          update->BindInt64(1, ClampToInt64(seq));
          update->BindInt64(2, ClampToInt64(id));
          absl::Status run = update->Run();
          found = writer_db_->Changes() > 0;
          return run;
        });
    if (status.ok() && !found) {
      return absl::NotFoundError(
          absl::StrCat("quarantine entry ", id, " not found"));
    }
    return status;
  });
}

absl::StatusOr<uint64_t> SqliteEventLog::GetCursor(absl::string_view name) {
  absl::StatusOr<ReaderPool::Lease> lease = readers_.Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  absl::StatusOr<Statement*> stmt =
      lease->Prepare("SELECT seq FROM cursors WHERE name = ?1");
  if (!stmt.ok()) {
    return stmt.status();
  }
  (*stmt)->BindText(1, name);
  absl::StatusOr<bool> row = (*stmt)->Step();
  if (!row.ok()) {
    return row.status();
  }
  if (!*row) {
    return absl::NotFoundError(absl::StrCat("cursor \"", name, "\" not found"));
  }
  return static_cast<uint64_t>((*stmt)->ColumnInt64(0));
}

absl::Status SqliteEventLog::SetCursor(absl::string_view name, uint64_t seq) {
  if (name.empty()) {
    return absl::InvalidArgumentError("cursor name: must not be empty");
  }
  return RunOnWriter<absl::Status>([this, name, seq] {
    return InTransaction("event log: setting a cursor", [&] {
      absl::StatusOr<Statement> upsert = writer_db_->Prepare(
          "INSERT INTO cursors (name, seq, updated_at) VALUES (?1, ?2, ?3)"
          " ON CONFLICT (name) DO UPDATE SET seq = excluded.seq,"
          " updated_at = excluded.updated_at");
      if (!upsert.ok()) {
        return upsert.status();
      }
      upsert->BindText(1, name);
      upsert->BindInt64(2, ClampToInt64(seq));
      upsert->BindInt64(3, absl::ToUnixMicros(options_.now()));
      return upsert->Run();
    });
  });
}

SqliteEventLog::Stats SqliteEventLog::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace vouchstream::store

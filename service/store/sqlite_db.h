#pragma once
// Thin RAII wrappers over the SQLite C API used by the store: `Database` owns
// one connection, `Statement` one prepared statement, and `SqliteStatus`
// converts SQLite result codes into absl::Status where they appear.
//
// Thread safety: connections are opened in SQLite's multi-thread mode
// (`SQLITE_OPEN_NOMUTEX`), so a `Database` and its statements must be used by
// one thread at a time; the owner provides that exclusion. Internal to
// service/store.

#include <sqlite3.h>

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::store {

// Converts a SQLite result code into a status whose message names `what`, the
// connection's error message and the code's name, e.g.
// "sqlite: committing 3 events: database or disk is full (SQLITE_FULL)".
// Disk full, read-only, I/O, open and lock errors map to kUnavailable (retry
// may help once the operator fixes the disk); corruption to kDataLoss;
// everything else to kInternal. `db` may be null.
absl::Status SqliteStatus(int rc, sqlite3* db, absl::string_view what);

// One prepared statement. Bind parameters (1-based), call `Step()` until it
// returns false, read columns (0-based) while it returns true. `Reset()`
// before reuse; text and blob parameters are bound without copying and must
// outlive the last `Step()`.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  static absl::StatusOr<Statement> Prepare(sqlite3* db, absl::string_view sql);

  // Binding errors are remembered and returned by the next `Step()`.
  void BindInt64(int index, int64_t value);
  void BindText(int index, absl::string_view value);
  // Binds NULL when `value` is empty, for optional unique columns.
  void BindTextOrNull(int index, absl::string_view value);
  void BindBlob(int index, absl::string_view value);

  // True when a row is ready, false when the statement is done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows to completion.
  absl::Status Run();

  bool ColumnIsNull(int index) const;
  int64_t ColumnInt64(int index) const;
  // Valid until the next `Step()` or `Reset()`.
  absl::string_view ColumnText(int index) const;
  absl::string_view ColumnBlob(int index) const;

  // Resets the statement and clears its bindings.
  void Reset();

 private:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void NoteBindResult(int rc);

  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

// One SQLite connection.
class Database {
 public:
  // `flags` are sqlite3_open_v2 flags; SQLITE_OPEN_NOMUTEX and
  // SQLITE_OPEN_URI are always added, so `path` may be a `file:` URI
  // (e.g. "file:/var/lib/vs.db?mode=ro").
  static absl::StatusOr<std::unique_ptr<Database>> Open(absl::string_view path,
                                                        int flags);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements that return no rows.
  absl::Status Exec(absl::string_view sql);
  absl::StatusOr<Statement> Prepare(absl::string_view sql);
  // Runs `sql` (one statement) and returns the first column of its first
  // row as an integer; `if_no_row` when it has no row or a NULL.
  absl::StatusOr<int64_t> QueryInt64(absl::string_view sql, int64_t if_no_row);

  // Whether a transaction is open (false after SQLite rolled one back on its
  // own, e.g. on SQLITE_FULL).
  bool InTransaction() const;
  int64_t Changes() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}

  sqlite3* db_;
};

}  // namespace vouchstream::store

#include "service/store/sqlite_db.h"

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace vouchstream::store {
namespace {

// The names of SQLite's primary result codes, so that operators can search
// for them; sqlite3_errstr() only gives the English text.
absl::string_view PrimaryCodeName(int rc) {
  switch (rc & 0xff) {
    case SQLITE_ERROR:
      return "SQLITE_ERROR";
    case SQLITE_INTERNAL:
      return "SQLITE_INTERNAL";
    case SQLITE_PERM:
      return "SQLITE_PERM";
    case SQLITE_ABORT:
      return "SQLITE_ABORT";
    case SQLITE_BUSY:
      return "SQLITE_BUSY";
    case SQLITE_LOCKED:
      return "SQLITE_LOCKED";
    case SQLITE_NOMEM:
      return "SQLITE_NOMEM";
    case SQLITE_READONLY:
      return "SQLITE_READONLY";
    case SQLITE_INTERRUPT:
      return "SQLITE_INTERRUPT";
    case SQLITE_IOERR:
      return "SQLITE_IOERR";
    case SQLITE_CORRUPT:
      return "SQLITE_CORRUPT";
    case SQLITE_NOTFOUND:
      return "SQLITE_NOTFOUND";
    case SQLITE_FULL:
      return "SQLITE_FULL";
    case SQLITE_CANTOPEN:
      return "SQLITE_CANTOPEN";
    case SQLITE_PROTOCOL:
      return "SQLITE_PROTOCOL";
    case SQLITE_SCHEMA:
      return "SQLITE_SCHEMA";
    case SQLITE_TOOBIG:
      return "SQLITE_TOOBIG";
    case SQLITE_CONSTRAINT:
      return "SQLITE_CONSTRAINT";
    case SQLITE_MISMATCH:
      return "SQLITE_MISMATCH";
    case SQLITE_MISUSE:
      return "SQLITE_MISUSE";
    case SQLITE_RANGE:
      return "SQLITE_RANGE";
    case SQLITE_NOTADB:
      return "SQLITE_NOTADB";
    default:
      return "SQLITE_UNKNOWN";
  }
}

}  // namespace

absl::Status SqliteStatus(int rc, sqlite3* db, absl::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) {
    return absl::OkStatus();
  }
  // The connection's message is more specific than the code's text (e.g. it
  // names the constraint), but only while it still describes `rc`.
  const char* text = sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) {
    text = sqlite3_errmsg(db);
  }
  std::string message = absl::StrCat("sqlite: ", what, ": ", text, " (",
                                     PrimaryCodeName(rc), ", code ", rc, ")");
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return absl::UnavailableError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    default:
      return absl::InternalError(message);
  }
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      bind_rc_(std::exchange(other.bind_rc_, SQLITE_OK)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = std::exchange(other.bind_rc_, SQLITE_OK);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

absl::StatusOr<Statement> Statement::Prepare(sqlite3* db,
                                             absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(rc, db, absl::StrCat("preparing \"", sql, "\""));
  }
  return Statement(stmt);
}

void Statement::NoteBindResult(int rc) {
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
}

void Statement::BindInt64(int index, int64_t value) {
  NoteBindResult(sqlite3_bind_int64(stmt_, index, value));
}

void Statement::BindText(int index, absl::string_view value) {
  NoteBindResult(sqlite3_bind_text(stmt_, index, value.data(),
                                   static_cast<int>(value.size()),
                                   SQLITE_STATIC));
}

void Statement::BindTextOrNull(int index, absl::string_view value) {
  if (value.empty()) {
    NoteBindResult(sqlite3_bind_null(stmt_, index));
  } else {
    BindText(index, value);
  }
}

void Statement::BindBlob(int index, absl::string_view value) {
  // An empty blob must still be a blob, not NULL: SQLite binds NULL for a
  // null pointer, so point at a static byte.
  static const char kEmpty = 0;
  const char* data = value.empty() ? &kEmpty : value.data();
  NoteBindResult(
      sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_STATIC));
}

absl::StatusOr<bool> Statement::Step() {
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_rc_ != SQLITE_OK) {
    return SqliteStatus(bind_rc_, nullptr,
                        absl::StrCat("binding \"", sqlite3_sql(stmt_), "\""));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return SqliteStatus(rc, db,
                      absl::StrCat("running \"", sqlite3_sql(stmt_), "\""));
}

absl::Status Statement::Run() {
  for (;;) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) {
      return row.status();
    }
    if (!*row) {
      return absl::OkStatus();
    }
  }
}

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

int64_t Statement::ColumnInt64(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

absl::string_view Statement::ColumnText(int index) const {
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  const int size = sqlite3_column_bytes(stmt_, index);
  return text == nullptr ? absl::string_view()
                         : absl::string_view(text, static_cast<size_t>(size));
}

absl::string_view Statement::ColumnBlob(int index) const {
  const auto* data =
      static_cast<const char*>(sqlite3_column_blob(stmt_, index));
  const int size = sqlite3_column_bytes(stmt_, index);
  return data == nullptr ? absl::string_view()
                         : absl::string_view(data, static_cast<size_t>(size));
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(absl::string_view path,
                                                         int flags) {
  sqlite3* db = nullptr;
  const std::string path_string(path);
  const int rc =
      sqlite3_open_v2(path_string.c_str(), &db,
                      flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status =
        SqliteStatus(rc, db, absl::StrCat("opening \"", path, "\""));
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Database>(new Database(db));
}

Database::~Database() { sqlite3_close_v2(db_); }

absl::Status Database::Exec(absl::string_view sql) {
  const std::string sql_string(sql);
  const int rc =
      sqlite3_exec(db_, sql_string.c_str(), nullptr, nullptr, nullptr);
  return SqliteStatus(rc, db_, absl::StrCat("running \"", sql, "\""));
}

absl::StatusOr<Statement> Database::Prepare(absl::string_view sql) {
  return Statement::Prepare(db_, sql);
}

absl::StatusOr<int64_t> Database::QueryInt64(absl::string_view sql,
                                             int64_t if_no_row) {
  absl::StatusOr<Statement> stmt = Prepare(sql);
  if (!stmt.ok()) {
    return stmt.status();
  }
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) {
    return row.status();
  }
  if (!*row || stmt->ColumnIsNull(0)) {
    return if_no_row;
  }
  return stmt->ColumnInt64(0);
}

bool Database::InTransaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

}  // namespace vouchstream::store

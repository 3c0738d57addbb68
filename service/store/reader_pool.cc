#include "service/store/reader_pool.h"

#include <sqlite3.h>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "service/store/sqlite_db.h"

namespace vouchstream::store {

class ReaderPool::Connection {
 public:
  explicit Connection(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  absl::StatusOr<Statement*> Prepare(absl::string_view sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      absl::StatusOr<Statement> stmt = db_->Prepare(sql);
      if (!stmt.ok()) {
        return stmt.status();
      }
      it = statements_.emplace(sql, *std::move(stmt)).first;
    }
    it->second.Reset();
    used_.push_back(&it->second);
    return &it->second;
  }

  // A statement left on a row keeps its read transaction, and with it an old
  // WAL snapshot that stops checkpoints, open: reset everything the lease
  // used before the connection idles.
  void ResetUsed() {
    for (Statement* stmt : used_) {
      stmt->Reset();
    }
    used_.clear();
  }

  Database& db() { return *db_; }

 private:
  // Declared first so that it is destroyed last, after the statements.
  std::unique_ptr<Database> db_;
  absl::flat_hash_map<std::string, Statement> statements_;
  std::vector<Statement*> used_;
};

ReaderPool::ReaderPool(std::string path, size_t max_idle)
    : path_(std::move(path)), max_idle_(max_idle) {}

ReaderPool::~ReaderPool() = default;

absl::StatusOr<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
  }
  absl::StatusOr<std::unique_ptr<Database>> db =
      Database::Open(path_, SQLITE_OPEN_READONLY);
  if (!db.ok()) {
    return db.status();
  }
  absl::Status status = (*db)->Exec("PRAGMA busy_timeout = 5000");
  if (!status.ok()) {
    return status;
  }
  return Lease(this, std::make_unique<Connection>(*std::move(db)));
}

void ReaderPool::Release(std::unique_ptr<Connection> connection) {
  connection->ResetUsed();
  absl::MutexLock lock(&mu_);
  if (idle_.size() < max_idle_) {
    idle_.push_back(std::move(connection));
  }
  // Otherwise the connection closes as it goes out of scope here, under the
  // lock; closing a read-only connection is quick.
}

ReaderPool::Lease::Lease(ReaderPool* pool,
                         std::unique_ptr<Connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ReaderPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)) {}

ReaderPool::Lease::~Lease() {
  if (connection_ != nullptr) {
    pool_->Release(std::move(connection_));
  }
}

absl::StatusOr<Statement*> ReaderPool::Lease::Prepare(absl::string_view sql) {
  return connection_->Prepare(sql);
}

Database& ReaderPool::Lease::db() { return connection_->db(); }

}  // namespace vouchstream::store

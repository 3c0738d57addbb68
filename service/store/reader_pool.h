#pragma once
// A pool of read-only SQLite connections for the event log's readers, so
// that reads never wait for the writer thread (WAL lets them read the last
// committed snapshot while it writes). Each connection caches its prepared
// statements. Thread-safe; a leased connection belongs to one thread until
// the lease ends. Internal to service/store.
//
//   absl::StatusOr<ReaderPool::Lease> lease = pool.Acquire();
//   absl::StatusOr<Statement*> stmt = lease->Prepare("SELECT ...");

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "service/store/sqlite_db.h"

namespace vouchstream::store {

class ReaderPool {
 public:
  // Opens connections to `path` on demand and keeps up to `max_idle` of them
  // for reuse.
  ReaderPool(std::string path, size_t max_idle);
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;
  ~ReaderPool();

  class Connection;

  // A connection on loan; returns it to the pool when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    // A cached statement for `sql`, reset and ready to bind. Valid until the
    // lease ends.
    absl::StatusOr<Statement*> Prepare(absl::string_view sql);
    Database& db();

   private:
    friend class ReaderPool;
    Lease(ReaderPool* pool, std::unique_ptr<Connection> connection);

    ReaderPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  absl::StatusOr<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Connection> connection);

  const std::string path_;
  const size_t max_idle_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::store

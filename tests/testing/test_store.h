#pragma once
// Runs the integration tests against both event logs: a value parameter
// names the store, and `TestStore` provides one for one test, either a
// SQLite file in the test's temp dir or a `nats-server -js` of its own
// (kernel-picked port, store in the temp dir) with the server pointed at
// `nats://127.0.0.1:PORT?stream=EVENTS`.
//
//   class RestartTest : public ::testing::TestWithParam<StoreKind> {};
//   TEST_P(RestartTest, ...) {
//     TempDir dir;
//     auto store = TestStore::Start(GetParam(), dir);
//     ASSERT_THAT(store, IsOk());
//     ServerProcess::Options options;
//     (*store)->Configure(options);
//     ...
//   }
//   INSTANTIATE_TEST_SUITE_P(Stores, RestartTest, AllStores(), StoreName);
//
// Thread-compatible.

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

#include "tests/testing/nats_server.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {

enum class StoreKind { kSqlite, kJetStream };

// For gtest's messages and ctest's test list ("GetParam() = sqlite").
inline void PrintTo(StoreKind kind, std::ostream* os) {
  *os << (kind == StoreKind::kSqlite ? "sqlite" : "jetstream");
}

// "Sqlite" / "JetStream", the suffix of each parameterized test's name.
std::string StoreName(const ::testing::TestParamInfo<StoreKind>& info);

inline auto AllStores() {
  return ::testing::Values(StoreKind::kSqlite, StoreKind::kJetStream);
}

class TestStore {
 public:
  // The JetStream store starts its nats-server in `dir`/nats.
  static absl::StatusOr<std::unique_ptr<TestStore>> Start(StoreKind kind,
                                                          const TempDir& dir);

  // Sets `options.store_path` (SQLite) or `options.store_url` (JetStream).
  void Configure(ServerProcess::Options& options) const;

  StoreKind kind() const { return kind_; }
  // The JetStream store's server; nullptr for SQLite.
  NatsServer* nats() const { return nats_.get(); }

 private:
  TestStore(StoreKind kind, std::string sqlite_path,
            std::unique_ptr<NatsServer> nats)
      : kind_(kind),
        sqlite_path_(std::move(sqlite_path)),
        nats_(std::move(nats)) {}

  StoreKind kind_;
  std::string sqlite_path_;
  std::unique_ptr<NatsServer> nats_;
};

}  // namespace vouchstream::testing

#include "tests/testing/test_store.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

#include "tests/testing/nats_server.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {

std::string StoreName(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param == StoreKind::kSqlite ? "Sqlite" : "JetStream";
}

absl::StatusOr<std::unique_ptr<TestStore>> TestStore::Start(
    StoreKind kind, const TempDir& dir) {
  if (kind == StoreKind::kSqlite) {
    return std::unique_ptr<TestStore>(
        new TestStore(kind, dir.File("events.db"), nullptr));
  }
  NatsServer::Options options;
  options.dir = dir.File("nats");
  absl::StatusOr<std::unique_ptr<NatsServer>> nats = NatsServer::Start(options);
  if (!nats.ok()) {
    return nats.status();
  }
  return std::unique_ptr<TestStore>(new TestStore(kind, "", *std::move(nats)));
}

void TestStore::Configure(ServerProcess::Options& options) const {
  if (nats_ == nullptr) {
    options.store_path = sqlite_path_;
    options.store_url.clear();
  } else {
    options.store_url = nats_->url() + "?stream=EVENTS";
  }
}

}  // namespace vouchstream::testing

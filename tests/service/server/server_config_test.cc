// ServerConfig::FromFlags: the store URL and values checked before anything
// is opened, each error naming its flag.

#include "service/server/server_config.h"

#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

ABSL_DECLARE_FLAG(std::string, store);
ABSL_DECLARE_FLAG(std::string, synchronous);
ABSL_DECLARE_FLAG(int32_t, workers);
ABSL_DECLARE_FLAG(bool, hash_token);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(bool, allow_loose_files);

namespace vouchstream::server {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

class ServerConfigTest : public ::testing::Test {
  // Every test starts from the defaults.
  absl::FlagSaver saver_;
};

TEST_F(ServerConfigTest, SqliteStoreTakesThePathAndTheSqliteFlags) {
  absl::SetFlag(&FLAGS_store, "sqlite:/var/lib/vouchstream/events.db");
  absl::SetFlag(&FLAGS_synchronous, "normal");
  absl::StatusOr<ServerConfig> config = ServerConfig::FromFlags();
  ASSERT_THAT(config.status(), IsOk());
  ASSERT_TRUE(config->sqlite.has_value());
  EXPECT_FALSE(config->jetstream.has_value());
  EXPECT_EQ(config->sqlite->path, "/var/lib/vouchstream/events.db");
  EXPECT_EQ(config->sqlite->synchronous,
            store::SqliteEventLog::Synchronous::kNormal);
}

TEST_F(ServerConfigTest, NatsStoreTakesServersStreamAndReplicas) {
  absl::SetFlag(&FLAGS_store,
                "nats://10.0.0.1:4222,10.0.0.2:4222?stream=VS&replicas=3");
  absl::StatusOr<ServerConfig> config = ServerConfig::FromFlags();
  ASSERT_THAT(config.status(), IsOk());
  ASSERT_TRUE(config->jetstream.has_value());
  EXPECT_FALSE(config->sqlite.has_value());
  EXPECT_EQ(config->jetstream->stream, "VS");
  EXPECT_EQ(config->jetstream->replicas, 3);
  EXPECT_THAT(config->jetstream->servers, ::testing::SizeIs(2));
}

TEST_F(ServerConfigTest, BadValuesNameTheirFlag) {
  absl::SetFlag(&FLAGS_store, "postgres://db");
  EXPECT_THAT(ServerConfig::FromFlags().status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--store: \"postgres://db\"")));
  absl::SetFlag(&FLAGS_store, "nats://10.0.0.1:4222");
  EXPECT_THAT(
      ServerConfig::FromFlags().status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stream")));
  absl::SetFlag(&FLAGS_store, "sqlite:x.db");
  absl::SetFlag(&FLAGS_synchronous, "sometimes");
  EXPECT_THAT(
      ServerConfig::FromFlags().status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--synchronous")));
  absl::SetFlag(&FLAGS_synchronous, "full");
  absl::SetFlag(&FLAGS_workers, 0);
  EXPECT_THAT(
      ServerConfig::FromFlags().status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--workers")));
}

TEST_F(ServerConfigTest, HashTokenNeedsNoValidStore) {
  absl::SetFlag(&FLAGS_hash_token, true);
  absl::SetFlag(&FLAGS_store, "nowhere");
  absl::StatusOr<ServerConfig> config = ServerConfig::FromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_TRUE(config->hash_token);
}

TEST_F(ServerConfigTest, TlsFilesAndLooseFilesReachTheReloads) {
  absl::SetFlag(&FLAGS_tls_key, "/etc/vouchstream/server.key");
  absl::SetFlag(&FLAGS_allow_loose_files, true);
  absl::StatusOr<ServerConfig> config = ServerConfig::FromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->tls.key, "/etc/vouchstream/server.key");
  EXPECT_TRUE(config->tls.allow_loose_files);
  EXPECT_TRUE(config->allow_loose_files);
}

}  // namespace
}  // namespace vouchstream::server

// GatewayConfig::FromFlags: required flags and private files checked before
// anything is opened, each error naming its flag.

#include "gateway/gateway_config.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

ABSL_DECLARE_FLAG(std::string, upstream);
ABSL_DECLARE_FLAG(std::string, secret_file);
ABSL_DECLARE_FLAG(bool, insecure_skip_signature);
ABSL_DECLARE_FLAG(bool, allow_loose_files);
ABSL_DECLARE_FLAG(std::string, instance);
ABSL_DECLARE_FLAG(std::string, upstream_key);

namespace vouchstream::gateway {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

class GatewayConfigTest : public ::testing::Test {
 protected:
  // A secret file with `perms`.
  std::string Secret(std::filesystem::perms perms) {
    std::string path = dir_.File("secret");
    std::ofstream(path) << "s3cret\n";
    std::filesystem::permissions(path, perms);
    return path;
  }

  testing::TempDir dir_;

 private:
  absl::FlagSaver saver_;  // every test starts from the defaults
};

TEST_F(GatewayConfigTest, UpstreamAndASecretFileAreRequired) {
  EXPECT_THAT(GatewayConfig::FromFlags().status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--upstream is required")));
  absl::SetFlag(&FLAGS_upstream, "127.0.0.1:50051");
  EXPECT_THAT(GatewayConfig::FromFlags().status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--secret-file is required")));
  absl::SetFlag(&FLAGS_insecure_skip_signature, true);
  EXPECT_THAT(GatewayConfig::FromFlags().status(), IsOk());
}

TEST_F(GatewayConfigTest, LooseSecretFileOrKeyIsRefusedUnlessAllowed) {
  absl::SetFlag(&FLAGS_upstream, "127.0.0.1:50051");
  absl::SetFlag(&FLAGS_secret_file,
                Secret(std::filesystem::perms::owner_read |
                       std::filesystem::perms::others_read));
  EXPECT_THAT(GatewayConfig::FromFlags().status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("--secret-file")));
  absl::SetFlag(&FLAGS_allow_loose_files, true);
  absl::StatusOr<GatewayConfig> allowed = GatewayConfig::FromFlags();
  ASSERT_THAT(allowed.status(), IsOk());
  EXPECT_TRUE(allowed->allow_loose_files);

  absl::SetFlag(&FLAGS_allow_loose_files, false);
  absl::SetFlag(&FLAGS_secret_file, Secret(std::filesystem::perms::owner_read));
  absl::SetFlag(&FLAGS_upstream_key, dir_.File("secret"));
  std::filesystem::permissions(dir_.File("secret"),
                               std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  EXPECT_THAT(GatewayConfig::FromFlags().status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("--secret-file")));
}

TEST_F(GatewayConfigTest, InstanceDefaultsToHostAndPid) {
  absl::SetFlag(&FLAGS_upstream, "127.0.0.1:50051");
  absl::SetFlag(&FLAGS_insecure_skip_signature, true);
  absl::StatusOr<GatewayConfig> config = GatewayConfig::FromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_THAT(config->http.instance, HasSubstr(":"));
  EXPECT_EQ(config->http.upstream, "127.0.0.1:50051");
  absl::SetFlag(&FLAGS_instance, "gw-1");
  config = GatewayConfig::FromFlags();
  ASSERT_THAT(config.status(), IsOk());
  EXPECT_EQ(config->http.instance, "gw-1");
}

}  // namespace
}  // namespace vouchstream::gateway

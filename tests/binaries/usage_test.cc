// Issue 23 item 3: `--help` of each binary lists that binary's own flags
// (not "No flags matched", not gRPC's or Abseil's), with their defaults, and
// `--version` prints its name and the project's version.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/run_command.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Binary {
  const char* name;
  const char* path;
  std::vector<std::string> main_flags;
};

class UsageTest : public ::testing::TestWithParam<Binary> {};

TEST_P(UsageTest, HelpListsTheBinarysOwnFlagsWithDefaults) {
  absl::StatusOr<CommandResult> help = RunCommand({GetParam().path, "--help"});
  ASSERT_THAT(help, IsOk());
  EXPECT_EQ(help->exit_code, 1) << help->output;  // Abseil's --help exit code
  EXPECT_THAT(help->output, Not(HasSubstr("No flags matched")));
  EXPECT_THAT(help->output, HasSubstr(GetParam().name));
  for (const std::string& flag : GetParam().main_flags) {
    EXPECT_THAT(help->output, HasSubstr("--" + flag + " ")) << flag;
  }
  EXPECT_THAT(help->output, HasSubstr("default: "));
  // Abseil's own flags stay under --helpfull.
  EXPECT_THAT(help->output, Not(HasSubstr("--flagfile")));
}

TEST_P(UsageTest, VersionPrintsNameAndVersion) {
  absl::StatusOr<CommandResult> version =
      RunCommand({GetParam().path, "--version"});
  ASSERT_THAT(version, IsOk());
  EXPECT_EQ(version->exit_code, 0) << version->output;
  EXPECT_EQ(version->output,
            std::string(GetParam().name) + " " + VS_VERSION + "\n");
}

INSTANTIATE_TEST_SUITE_P(
    Binaries, UsageTest,
    ::testing::Values(Binary{"vouchstream-gateway",
                             VS_GATEWAY_PATH,
                             {"listen", "upstream", "secret_file",
                              "max_body_bytes"}},
                      Binary{"vouchstream-server",
                             VS_SERVER_PATH,
                             {"listen", "store", "access", "tls_cert"}}),
    [](const auto& info) {
      return std::string(info.index == 0 ? "Gateway" : "Server");
    });

}  // namespace
}  // namespace vouchstream::testing

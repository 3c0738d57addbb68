// Issue 23 item 3: `--help` of each binary lists that binary's own flags
// (not "No flags matched", not gRPC's or Abseil's), with their defaults, and
// `--version` prints its name and the project's version.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

// Expects `output` to hold "--FLAG" + `after` for each of `flags`.
void ExpectListed(const std::string& output,
                  const std::vector<std::string>& flags,
                  const std::string& after) {
  for (const std::string& flag : flags) {
    EXPECT_THAT(output, HasSubstr(absl::StrCat("--", flag, after))) << flag;
  }
}

// Expects `output` not to hold "  --FLAG\n" for any of `flags`.
void ExpectNotListed(const std::string& output,
                     const std::vector<std::string>& flags) {
  for (const std::string& flag : flags) {
    EXPECT_THAT(output, Not(HasSubstr(absl::StrCat("  --", flag, "\n"))))
        << flag;
  }
}

TEST_P(UsageTest, HelpListsTheBinarysOwnFlagsWithDefaults) {
  absl::StatusOr<CommandResult> help = RunCommand({GetParam().path, "--help"});
  ASSERT_THAT(help, IsOk());
  EXPECT_EQ(help->exit_code, 1) << help->output;  // Abseil's --help exit code
  EXPECT_THAT(help->output, Not(HasSubstr("No flags matched")));
  EXPECT_THAT(help->output, HasSubstr(GetParam().name));
  ExpectListed(help->output, GetParam().main_flags, " ");
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

// vouchstream-cli: the first argument picks the command, Abseil parses the
// rest; help is per command and generated from the flag definitions.
struct CliCase {
  std::vector<std::string> args;
  int exit_code;
  std::string output;  // a substring of stdout + stderr
};

absl::StatusOr<CommandResult> Cli(std::vector<std::string> args) {
  args.insert(args.begin(), VS_CLI_PATH);
  return RunCommand(args);
}

void ExpectUsageError(const CliCase& c) {
  SCOPED_TRACE(absl::StrJoin(c.args, " "));
  absl::StatusOr<CommandResult> out = Cli(c.args);
  ASSERT_THAT(out, IsOk());
  EXPECT_EQ(out->exit_code, c.exit_code) << out->output;
  EXPECT_THAT(out->output, HasSubstr(c.output));
}

// `vouchstream-cli ARG` prints every command's usage and exits 0.
void ExpectProgramHelp(const std::string& arg) {
  SCOPED_TRACE(arg);
  absl::StatusOr<CommandResult> out = Cli({arg});
  ASSERT_THAT(out, IsOk());
  EXPECT_EQ(out->exit_code, 0) << out->output;
  for (const char* command : {"transcode", "send", "publish", "subscribe",
                              "get", "list", "quarantine"}) {
    EXPECT_THAT(out->output,
                HasSubstr(absl::StrCat("usage: vouchstream-cli ", command)))
        << command;
  }
  EXPECT_THAT(out->output, HasSubstr("default: 127.0.0.1:50051"));
  EXPECT_THAT(out->output, Not(HasSubstr("--flagfile")));
}

TEST(CliUsageTest, HelpListsEveryCommandWithItsFlagsAndDefaults) {
  for (const char* help : {"--help", "help", "-h"}) {
    ExpectProgramHelp(help);
  }
  absl::StatusOr<CommandResult> bare = Cli({});
  ASSERT_THAT(bare, IsOk());
  EXPECT_EQ(bare->exit_code, 2);
  EXPECT_THAT(bare->output, HasSubstr("usage: vouchstream-cli COMMAND"));
}

struct HelpCase {
  std::string command;
  std::vector<std::string> flags;      // listed, with dashes
  std::vector<std::string> not_flags;  // flags of other commands
};

void ExpectCommandHelp(const HelpCase& c) {
  SCOPED_TRACE(c.command);
  absl::StatusOr<CommandResult> out = Cli({c.command, "--help"});
  ASSERT_THAT(out, IsOk());
  EXPECT_EQ(out->exit_code, 0) << out->output;
  EXPECT_THAT(out->output, HasSubstr(absl::StrCat("usage: vouchstream-cli ",
                                                  c.command, " [FLAGS]")));
  ExpectListed(out->output, c.flags, "\n      ");
  ExpectNotListed(out->output, c.not_flags);
  EXPECT_THAT(out->output, HasSubstr("default: "));
}

TEST(CliUsageTest, CommandHelpListsOnlyThatCommandsFlags) {
  const std::vector<HelpCase> cases = {
      {"transcode", {"type"}, {"server", "secret-file", "tls"}},
      {"send",
       {"secret-file", "secret", "url", "type", "allow-loose-files"},
       {"server", "limit", "ca"}},
      {"publish", {"server", "type", "ca", "token-file"}, {"limit"}},
      {"subscribe",
       {"server", "from", "after", "type", "campaign", "customer", "metadata",
        "code", "limit", "idle-timeout", "tls", "key", "server-name"},
       {"reprocess", "secret-file", "url"}},
      {"get", {"server", "type", "cert"}, {"limit", "from"}},
      {"list", {"after", "limit", "campaign"}, {"idle-timeout"}},
      {"quarantine", {"server", "reprocess"}, {"type", "limit"}},
  };
  for (const HelpCase& c : cases) {
    ExpectCommandHelp(c);
  }
  // The defaults come from the flag definitions.
  absl::StatusOr<CommandResult> send = Cli({"send", "--help"});
  ASSERT_THAT(send, IsOk());
  EXPECT_THAT(send->output,
              HasSubstr("default: http://127.0.0.1:8080/webhooks/voucherify"));
}

TEST(CliUsageTest, VersionPrintsNameAndVersion) {
  absl::StatusOr<CommandResult> version = Cli({"--version"});
  ASSERT_THAT(version, IsOk());
  EXPECT_EQ(version->exit_code, 0) << version->output;
  EXPECT_EQ(version->output,
            std::string("vouchstream-cli ") + VS_VERSION + "\n");
}

// Usage errors exit 2 with one line naming what is wrong, before anything
// is read or dialled (port 1: nothing listens there).
TEST(CliUsageTest, ParsingErrorsExitTwoNamingTheFlagAndTheCommand) {
  const std::vector<CliCase> cases = {
      {{"frobnicate"}, 2, "unknown command \"frobnicate\""},
      {{"transcode", "--server=127.0.0.1:1"},
       2,
       "transcode: --server is not a flag of transcode"},
      {{"subscribe", "--secret-file=x"},
       2,
       "subscribe: --secret-file is not a flag of subscribe"},
      {{"send", "--limit", "3", "body.json"},
       2,
       "send: --limit is not a flag of send"},
      {{"quarantine", "--type=a"}, 2, "quarantine: --type is not a flag"},
      {{"get", "--srever=127.0.0.1:1", "1"}, 2, "get: unknown flag --srever"},
      {{"list", "--server=127.0.0.1:1", "--limit=lots"}, 2, "list: --limit: "},
      {{"list", "--server=127.0.0.1:1", "--limit=0"},
       2,
       "list: --limit must be positive"},
      {{"subscribe", "--server=127.0.0.1:1", "--from=middle"},
       2,
       "subscribe: --from \"middle\" is not earliest or latest"},
      {{"subscribe", "--server=127.0.0.1:1", "--from=latest", "--after=3"},
       2,
       "subscribe: give --from or --after, not both"},
      {{"subscribe", "--server=127.0.0.1:1", "--idle-timeout=-1"},
       2,
       "must not be negative"},
      {{"list", "--server=127.0.0.1:1", "--metadata=tier"},
       2,
       "list: --metadata \"tier\" is not KEY=VALUE"},
      {{"get", "--server=127.0.0.1:1"}, 2, "get: takes one SEQ or ID"},
      {{"get", "--server=127.0.0.1:1", "--type=a,b", "x"},
       2,
       "get: --type takes one type name"},
      {{"publish", "--server=127.0.0.1:1"}, 2, "publish: takes one FILE"},
      {{"send", "body.json"},
       2,
       "send: --secret-file (or --secret) is required"},
      {{"send", "--secret=s", "--url"}, 2, "send: --url needs a value"},
      {{"list", "--server=127.0.0.1:1", "extra"},
       2,
       "list: unexpected argument \"extra\""},
      {{"transcode", "body.json"}, 2, "transcode: unexpected argument"},
  };
  for (const CliCase& c : cases) {
    ExpectUsageError(c);
  }
}

}  // namespace
}  // namespace vouchstream::testing

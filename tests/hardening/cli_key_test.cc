// `vouchstream-cli --cert=A --key=B` with a key that is not A's: exit 2 and
// one line naming both files, checked with OpenSSL before gRPC sees the
// files (before issue 22: exit 1 after gRPC core's own log lines at the
// first handshake).

#include <string>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/run_command.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certs.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;

TEST(CliKeyMismatchTest, ExitsTwoWithOneClearLine) {
  TempDir dir;
  auto pki = MakeTestPki(dir.File("pki"));
  ASSERT_THAT(pki.status(), IsOk());
  // Port 1: nothing listens there, and nothing must be dialled anyway.
  for (const char* command : {"list", "get"}) {
    SCOPED_TRACE(command);
    absl::StatusOr<CommandResult> cli = RunCommand(
        {VS_CLI_PATH, command, "--server=127.0.0.1:1", "--ca=" + pki->ca_cert,
         "--cert=" + pki->client_cert, "--key=" + pki->other_client_key,
         "--type=publication.succeeded", "evpub_1"});
    ASSERT_THAT(cli.status(), IsOk());
    EXPECT_EQ(cli->exit_code, 2) << cli->output;
    EXPECT_THAT(cli->output,
                HasSubstr(absl::StrCat("--key: \"", pki->other_client_key,
                                       "\" is not the private key of the "
                                       "certificate in --cert \"",
                                       pki->client_cert, "\"")));
    const std::vector<std::string> lines =
        absl::StrSplit(cli->output, '\n', absl::SkipEmpty());
    EXPECT_EQ(lines.size(), 1U) << cli->output;
  }
  // The matching pair gets past the check (and fails later, on the call).
  absl::StatusOr<CommandResult> matching = RunCommand(
      {VS_CLI_PATH, "list", "--server=127.0.0.1:1", "--ca=" + pki->ca_cert,
       "--cert=" + pki->client_cert, "--key=" + pki->client_key});
  ASSERT_THAT(matching.status(), IsOk());
  EXPECT_THAT(matching->output, ::testing::Not(HasSubstr("private key")));
}

}  // namespace
}  // namespace vouchstream::testing

// vouchstream-cli's talking commands against the real server.

#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <sys/wait.h>

#include "tests/testing/deployment.h"
#include "tests/testing/run_command.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_store.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(int fd) {
  std::string text;
  std::array<char, 4096> buffer;
  ssize_t n = 0;
  while ((n = read(fd, buffer.data(), buffer.size())) > 0) {
    text.append(buffer.data(), static_cast<size_t>(n));
  }
  return text;
}

// Runs vouchstream-cli with `args`; stderr goes to a file so that the two
// pipes cannot deadlock.
Output RunCli(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), VS_CLI_PATH);
  const std::string err_path = dir.path() + "/cli.stderr";
  std::array<int, 2> out{};
  if (pipe(out.data()) != 0) {
    return {};
  }
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    if (freopen(err_path.c_str(), "w", stderr) == nullptr) {
      _exit(126);
    }
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (std::string& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  Output output;
  output.out = ReadAll(out[0]);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  output.err.assign(std::istreambuf_iterator<char>(err), {});
  return output;
}

class CliTest : public ::testing::TestWithParam<StoreKind> {};

TEST_P(CliTest, PublishSubscribeGetListAndQuarantine) {
  auto deployment = Deployment::Start(GetParam());
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  const TempDir& dir = d.dir();
  const std::string flag = "--server=" + d.server_address();
  const std::string envelope =
      VS_TESTDATA_DIR "/voucher.published.envelope.example.json";

  Output published = RunCli(dir, {"publish", flag, envelope});
  EXPECT_EQ(published.exit_code, 0) << published.err;
  EXPECT_EQ(published.out, "{\"seq\":1,\"duplicate\":false}\n");
  Output again = RunCli(dir, {"publish", flag, envelope});
  EXPECT_EQ(again.out, "{\"seq\":1,\"duplicate\":true}\n");

  Output subscribed =
      RunCli(dir, {"subscribe", flag, "--from=earliest", "--limit=1"});
  EXPECT_EQ(subscribed.exit_code, 0) << subscribed.err;
  EXPECT_THAT(subscribed.out, StartsWith("{\"seq\":\"1\",\"id\":\"evvou_"));
  EXPECT_EQ(std::count(subscribed.out.begin(), subscribed.out.end(), '\n'), 1);

  Output idle = RunCli(
      dir, {"subscribe", flag, "--type=publication.*", "--idle-timeout=0.3"});
  EXPECT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_EQ(idle.out, "");

  Output got = RunCli(dir, {"get", flag, "1"});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_THAT(got.out, HasSubstr("\"type\":\"voucher.published\""));
  Output missing = RunCli(dir, {"get", flag, "42"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND: "));

  Output listed = RunCli(dir, {"list", flag, "--type=voucher.*"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, StartsWith("{\"seq\":\"1\""));

  // An invalid bare body: every customer id loses its prefix.
  std::ifstream seed(VS_TESTDATA_DIR "/publication.succeeded.seed.json");
  const std::string body(std::istreambuf_iterator<char>(seed), {});
  const std::string bad_path = dir.path() + "/bad.json";
  std::ofstream(bad_path) << absl::StrReplaceAll(body, {{"\"cust_", "\"x_"}});
  Output rejected =
      RunCli(dir, {"publish", flag, "--type=publication.succeeded", bad_path});
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_THAT(rejected.err, HasSubstr("publish: INVALID_ARGUMENT: "));
  EXPECT_THAT(rejected.err, HasSubstr("\n  customer.id: "));

  Output quarantined = RunCli(dir, {"quarantine", flag});
  EXPECT_EQ(quarantined.exit_code, 0) << quarantined.err;
  EXPECT_THAT(quarantined.out, HasSubstr("\"field_violations\""));
  EXPECT_THAT(quarantined.out, HasSubstr("\"customer.id\""));

  EXPECT_THAT(d.StopServer(), IsOk());
}

// The command lines README.md, clients/README.md, SECURITY.md and
// scripts/run.sh show, spelled as they are there (dashes, "--flag value"),
// against a real gateway and server (issue 23: the CLI parses with absl).
TEST_P(CliTest, DocumentedCommandLinesWork) {
  Deployment::Options options;
  options.store = GetParam();
  options.gateways = 1;
  options.secret = "tour-secret";
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  const TempDir& dir = d.dir();
  const std::string secret_file = d.secret_file();
  const std::string url = absl::StrCat("http://127.0.0.1:", d.gateway_port(),
                                       "/webhooks/voucherify");
  const std::string flag = "--server=" + d.server_address();
  const std::string seed =
      absl::StrCat(VS_TESTDATA_DIR, "/publication.succeeded.seed.json");
  const std::string voucher_envelope =
      absl::StrCat(VS_TESTDATA_DIR, "/voucher.published.envelope.example.json");

  // README step 3 and scripts/run.sh: a bare body, "--type T" and
  // "--secret-file F" with a space.
  Output sent = RunCli(dir, {"send", seed, "--type", "publication.succeeded",
                             "--secret-file", secret_file, "--url", url});
  EXPECT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_THAT(sent.out, StartsWith("HTTP 200 OK\n"));
  EXPECT_THAT(sent.out, HasSubstr("{\"seq\":1,\"duplicate\":false}"));
  // README step 4: an envelope, FILE after the flags' values too.
  Output envelope = RunCli(dir, {"send", voucher_envelope, "--secret-file",
                                 secret_file, "--url=" + url});
  EXPECT_EQ(envelope.exit_code, 0) << envelope.err;
  EXPECT_THAT(envelope.out, HasSubstr("{\"seq\":2,\"duplicate\":false}"));

  // README step 2 and clients/README.md.
  Output subscribed = RunCli(dir, {"subscribe", flag, "--from=earliest",
                                   "--type=publication.*", "--limit=1"});
  EXPECT_EQ(subscribed.exit_code, 0) << subscribed.err;
  EXPECT_THAT(subscribed.out, StartsWith("{\"seq\":\"1\""));
  Output idle = RunCli(
      dir, {"subscribe", flag, "--type=publication.*", "--idle-timeout=0.3"});
  EXPECT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_EQ(std::count(idle.out.begin(), idle.out.end(), '\n'), 1);
  // README step 6, with the underscore spelling too.
  Output resumed =
      RunCli(dir, {"subscribe", flag, "--after=1", "--idle_timeout=0.3"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.out, StartsWith("{\"seq\":\"2\""));
  EXPECT_EQ(std::count(resumed.out.begin(), resumed.out.end(), '\n'), 1);

  // README "More:" and SECURITY.md's list line (--limit).
  Output got = RunCli(dir, {"get", flag, "1"});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_THAT(got.out, HasSubstr("\"type\":\"publication.succeeded\""));
  Output listed = RunCli(dir, {"list", flag, "--type=voucher.*", "--limit=10"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, StartsWith("{\"seq\":\"2\""));
  EXPECT_EQ(std::count(listed.out.begin(), listed.out.end(), '\n'), 1);
  // Several patterns, comma-separated; --limit bounds the lines.
  Output both = RunCli(
      dir, {"list", flag, "--type=voucher.*,publication.*", "--limit=1"});
  EXPECT_EQ(both.exit_code, 0) << both.err;
  EXPECT_EQ(std::count(both.out.begin(), both.out.end(), '\n'), 1);
  Output quarantine = RunCli(dir, {"quarantine", flag});
  EXPECT_EQ(quarantine.exit_code, 0) << quarantine.err;
  EXPECT_EQ(quarantine.out, "");

  // README "Try the transcoder": the body on stdin.
  absl::StatusOr<CommandResult> transcoded = RunCommand(
      {"/bin/sh", "-c",
       "exec \"$0\" transcode --type=publication.succeeded < " VS_TESTDATA_DIR
       "/publication.succeeded.seed.json",
       VS_CLI_PATH});
  ASSERT_THAT(transcoded, IsOk());
  EXPECT_EQ(transcoded->exit_code, 0) << transcoded->output;
  EXPECT_THAT(transcoded->output, HasSubstr("\"publication_succeeded\""));

  EXPECT_THAT(d.Stop(), IsOk());
}

INSTANTIATE_TEST_SUITE_P(Stores, CliTest, AllStores(), StoreName);

}  // namespace
}  // namespace vouchstream::testing

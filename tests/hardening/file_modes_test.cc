// Files that hold secrets (issue 22): the SQLite event log and its -wal and
// -shm are created 0600 and the store directories the server creates 0700;
// a webhook secret file, access file or TLS private key that group or
// others may read stops the gateway, the server and the CLI at start,
// naming the file and its mode, unless --allow-loose-files is given.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <sys/stat.h>

#include "tests/testing/child_process.h"
#include "tests/testing/run_command.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certs.h"
#include "tests/testing/test_events.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kLoose[] = "lets group/others read it";

// The permission bits of `path`, or -1 when it does not exist.
int ModeOf(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    return -1;
  }
  return static_cast<int>(info.st_mode & 07777);
}

// Writes `text` to `path` with permission bits `mode`.
void WriteWithMode(const std::string& path, const std::string& text,
                   std::filesystem::perms mode) {
  std::ofstream(path, std::ios::trunc) << text;
  std::filesystem::permissions(path, mode);
}

constexpr auto kMode0644 =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
    std::filesystem::perms::group_read | std::filesystem::perms::others_read;
constexpr auto kMode0640 = std::filesystem::perms::owner_read |
                           std::filesystem::perms::owner_write |
                           std::filesystem::perms::group_read;

// Runs `argv` with a 20 s bound (coreutils `timeout`), so that a binary
// that wrongly starts serving fails the test (exit 124) instead of hanging.
CommandResult RunBounded(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"/usr/bin/timeout", "20"});
  absl::StatusOr<CommandResult> result = RunCommand(argv);
  EXPECT_THAT(result.status(), IsOk());
  return result.ok() ? *result : CommandResult{};
}

std::string LooseMessage(const std::string& flag, const std::string& path,
                         const char* mode) {
  return absl::StrCat(flag, " ", path, ": mode ", mode, " ", kLoose,
                      "; chmod 600 it, or pass --allow-loose-files");
}

TEST(FileModesTest, StoreFilesAndDirectoriesArePrivate) {
  TempDir dir;
  ServerProcess::Options options;
  // Two directories the server has to create.
  options.store_path = dir.File("store/sub/events.db");
  auto server = ServerProcess::Start(options);
  ASSERT_THAT(server.status(), IsOk());
  auto stub = v1::EventService::NewStub((*server)->channel());
  ASSERT_THAT(
      Publish(*stub, UntypedEvent("evpub_1", "x.custom", "camp_1", "cust_1"))
          .status(),
      IsOk());
  // The WAL files exist while the log is open.
  EXPECT_EQ(ModeOf(dir.File("store")), 0700);
  EXPECT_EQ(ModeOf(dir.File("store/sub")), 0700);
  EXPECT_EQ(ModeOf(options.store_path), 0600);
  EXPECT_EQ(ModeOf(options.store_path + "-wal"), 0600);
  EXPECT_EQ(ModeOf(options.store_path + "-shm"), 0600);
}

TEST(LooseFilesTest, ServerRefusesALooseAccessFileOrKeyUnlessAllowed) {
  TempDir dir;
  auto pki = MakeTestPki(dir.File("pki"));
  ASSERT_THAT(pki.status(), IsOk());
  const std::string access = dir.File("access.json");
  WriteWithMode(access, R"({"principals": []})", kMode0644);
  const std::string store = "--store=sqlite:" + dir.File("events.db");

  CommandResult refused = RunBounded(
      {VS_SERVER_PATH, "--listen=127.0.0.1:0", store, "--access=" + access});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_THAT(refused.output,
              HasSubstr(LooseMessage("--access", access, "0644")));

  const std::string key = dir.File("server.key");
  std::filesystem::copy_file(pki->server_key, key);
  std::filesystem::permissions(key, kMode0640);
  refused = RunBounded({VS_SERVER_PATH, "--listen=127.0.0.1:0", store,
                        "--tls-cert=" + pki->server_cert, "--tls-key=" + key});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_THAT(refused.output,
              HasSubstr(LooseMessage("--tls-key", key, "0640")));

  ServerProcess::Options options;
  options.store_path = dir.File("events.db");
  options.extra_args = {"--access=" + access, "--allow-loose-files"};
  auto allowed = ServerProcess::Start(options);
  EXPECT_THAT(allowed.status(), IsOk());
}

TEST(LooseFilesTest, GatewayRefusesLooseSecretAndKeyFilesUnlessAllowed) {
  TempDir dir;
  auto pki = MakeTestPki(dir.File("pki"));
  ASSERT_THAT(pki.status(), IsOk());
  const std::string secret = dir.File("webhook-secret");
  WriteWithMode(secret, "s3cret\n", kMode0644);
  const std::string key = dir.File("gateway.key");
  std::filesystem::copy_file(pki->client_key, key);
  std::filesystem::permissions(key, kMode0644);
  const std::vector<std::string> base = {
      VS_GATEWAY_PATH, "--listen=127.0.0.1:0", "--upstream=127.0.0.1:1"};

  std::vector<std::string> argv = base;
  argv.push_back("--secret-file=" + secret);
  CommandResult refused = RunBounded(argv);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output,
              HasSubstr(LooseMessage("--secret-file", secret, "0644")));

  argv = base;
  argv.insert(argv.end(),
              {"--insecure-skip-signature", "--upstream-ca=" + pki->ca_cert,
               "--upstream-cert=" + pki->client_cert, "--upstream-key=" + key});
  refused = RunBounded(argv);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output,
              HasSubstr(LooseMessage("--upstream-key", key, "0644")));

  argv = base;
  argv.insert(argv.end(),
              {"--insecure-skip-signature", "--tls-cert=" + pki->client_cert,
               "--tls-key=" + key});
  refused = RunBounded(argv);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output,
              HasSubstr(LooseMessage("--tls-key", key, "0644")));

  argv = base;
  argv.insert(argv.end(), {"--secret-file=" + secret, "--allow-loose-files"});
  auto allowed = ChildProcess::Start(argv);
  EXPECT_THAT(allowed.status(), IsOk());
}

TEST(LooseFilesTest, CliRefusesALooseKeyOrSecretFileUnlessAllowed) {
  TempDir dir;
  auto pki = MakeTestPki(dir.File("pki"));
  ASSERT_THAT(pki.status(), IsOk());
  const std::string key = dir.File("client.key");
  std::filesystem::copy_file(pki->client_key, key);
  std::filesystem::permissions(key, kMode0644);
  const std::vector<std::string> list = {VS_CLI_PATH,
                                         "list",
                                         "--server=127.0.0.1:1",
                                         "--ca=" + pki->ca_cert,
                                         "--cert=" + pki->client_cert,
                                         "--key=" + key};
  CommandResult refused = RunBounded(list);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr(LooseMessage("--key", key, "0644")));
  std::vector<std::string> argv = list;
  argv.push_back("--allow-loose-files");
  CommandResult allowed = RunBounded(argv);
  EXPECT_THAT(allowed.output, Not(HasSubstr(kLoose)));

  const std::string body = dir.File("body.json");
  WriteWithMode(body, "{}", kMode0644);
  const std::string secret = dir.File("webhook-secret");
  WriteWithMode(secret, "# comment\ns3cret\n", kMode0644);
  const std::vector<std::string> send = {VS_CLI_PATH, "send", body,
                                         "--secret-file=" + secret,
                                         "--url=http://127.0.0.1:1/webhooks"};
  refused = RunBounded(send);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output,
              HasSubstr(LooseMessage("--secret-file", secret, "0644")));
  argv = send;
  argv.push_back("--allow-loose-files");
  allowed = RunBounded(argv);
  EXPECT_EQ(allowed.exit_code, 1) << allowed.output;  // Nothing listens.
  EXPECT_THAT(allowed.output, Not(HasSubstr(kLoose)));
}

}  // namespace
}  // namespace vouchstream::testing

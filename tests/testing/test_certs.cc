#include "tests/testing/test_certs.h"

#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include <sys/wait.h>

extern char** environ;

namespace vouchstream::testing {
namespace {

// Runs `argv` with stdout and stderr on one pipe; returns the output when it
// exits with status 0.
absl::StatusOr<std::string> Run(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (spawned != 0) {
    close(out[0]);
    return absl::InternalError(
        absl::StrCat("cannot start ", argv[0], ": ", std::strerror(spawned)));
  }
  std::string output;
  char buf[4096];
  while (true) {
    const ssize_t n = read(out[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    output.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string command;
    for (const std::string& arg : argv) {
      absl::StrAppend(&command, command.empty() ? "" : " ", arg);
    }
    return absl::InternalError(absl::StrCat(
        command, " failed (",
        WIFEXITED(status) ? absl::StrCat("exit ", WEXITSTATUS(status))
                          : absl::StrCat("signal ", WTERMSIG(status)),
        "): ", output));
  }
  return output;
}

}  // namespace

absl::StatusOr<TestPki> MakeTestPki(const std::string& dir) {
  absl::StatusOr<std::string> made =
      Run({"/bin/bash", VS_MAKE_TEST_CERTS, dir});
  if (!made.ok()) {
    return made.status();
  }
  TestPki pki;
  pki.ca_cert = dir + "/ca.pem";
  pki.server_cert = dir + "/server.pem";
  pki.server_key = dir + "/server.key";
  pki.client_cert = dir + "/client.pem";
  pki.client_key = dir + "/client.key";
  pki.other_ca_cert = dir + "/other-ca.pem";
  pki.other_client_cert = dir + "/other-client.pem";
  pki.other_client_key = dir + "/other-client.key";
  return pki;
}

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace vouchstream::testing

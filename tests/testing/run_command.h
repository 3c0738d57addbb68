#pragma once
// Runs a command to completion for tests (openssl, vouchstream-cli, ...)
// and returns its exit code with everything it wrote to stdout and stderr,
// interleaved as written.
//
//   absl::StatusOr<CommandResult> cli = RunCommand({kCli, "get", "1"});
//   ASSERT_THAT(cli, IsOk());
//   EXPECT_EQ(cli->exit_code, 0) << cli->output;
//
// Thread-compatible. Blocks until the command exits: use it only for
// commands that end by themselves.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace vouchstream::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string output;  // stdout and stderr
};

// `argv[0]` is a path (no PATH search). Errors: kInternal when the command
// cannot be started.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv);

}  // namespace vouchstream::testing

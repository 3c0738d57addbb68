#pragma once
// One subcommand of `vouchstream-cli`. Each lives in its own file and is
// registered in main.cc's table, with the flags it takes (flags.h).

#include <array>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace vouchstream::cli {

// The process's exit code: 0 on success, 1 when the operation failed (the
// reason is on stderr), 2 on a usage error. `args`: the positional
// arguments after the command's name (flags are read with absl::GetFlag).
using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* args;  // The positional arguments, for the usage line.
  const char* help;  // One sentence.
  // The flags it takes, as flags.h names them; any other flag is refused.
  absl::Span<const char* const> flags;
  CommandFn run;
  // Speaks gRPC to the server: also takes the channel flags
  // (kChannelFlags), which main turns into the stubs' channel.
  bool talks_grpc = false;
};

// The flags of every talking command: TLS, token, loose key files.
inline constexpr std::array<const char*, 7> kChannelFlags = {
    "tls",
    "ca",
    "cert",
    "key",
    "server_name",
    "token_file",
    "allow_loose_files"};

// The subcommands, defined next to their implementation.
int TranscodeCommand(const std::vector<std::string>& args);
int SendCommand(const std::vector<std::string>& args);
int PublishCommand(const std::vector<std::string>& args);
int SubscribeCommand(const std::vector<std::string>& args);
int GetCommand(const std::vector<std::string>& args);
int ListCommand(const std::vector<std::string>& args);
int QuarantineCommand(const std::vector<std::string>& args);

}  // namespace vouchstream::cli

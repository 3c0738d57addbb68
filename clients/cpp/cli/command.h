#pragma once
// One subcommand of `vouchstream-cli`. Each lives in its own file and is
// registered in main.cc's table.

#include <string>
#include <vector>

namespace vouchstream::cli {

// The process's exit code: 0 on success, 1 when the operation failed (the
// reason is on stderr), 2 on a usage error.
using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* usage;  // One line: the arguments after the name.
  const char* help;   // One sentence.
  CommandFn run;
  // Speaks gRPC to the server: main takes the channel flags (TLS, token;
  // client::ParseChannelFlag) off its arguments and hands them to MakeStub.
  bool talks_grpc = false;
};

// The subcommands, defined next to their implementation.
int TranscodeCommand(const std::vector<std::string>& args);
int SendCommand(const std::vector<std::string>& args);
int PublishCommand(const std::vector<std::string>& args);
int SubscribeCommand(const std::vector<std::string>& args);
int GetCommand(const std::vector<std::string>& args);
int ListCommand(const std::vector<std::string>& args);
int QuarantineCommand(const std::vector<std::string>& args);

}  // namespace vouchstream::cli

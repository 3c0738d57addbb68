// vouchstream-cli: the operator's and tester's command line. Flags and
// dispatch only; each subcommand lives in its own file.

#include <array>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/grpc_flags.h"
#include "common/channel_options.h"
#include "common/private_file.h"

namespace {

using vouchstream::cli::Command;

// Keep names stable: operators script against them.
constexpr std::array kCommands = {
    Command{"transcode", "[--type=T] < BODY.json",
            "Prints the vouchstream.v1.Event a webhook body transcodes to.",
            vouchstream::cli::TranscodeCommand},
    Command{"send",
            "FILE --secret-file F|--secret S [--allow-loose-files] [--url U] "
            "[--type T]",
            "Signs FILE as Voucherify does and POSTs it to the gateway.",
            vouchstream::cli::SendCommand},
    Command{"publish", "[--server=HOST:PORT] [--type=T] FILE",
            "Transcodes a webhook body and publishes it; prints "
            "{\"seq\":N,\"duplicate\":bool}.",
            vouchstream::cli::PublishCommand, true},
    Command{"subscribe",
            "[--from=earliest|latest | --after=SEQ] [--type=PATTERN] "
            "[--campaign=ID] [--customer=ID] [--limit=N] "
            "[--idle-timeout=SECONDS]",
            "Prints one JSON line per delivered event.",
            vouchstream::cli::SubscribeCommand, true},
    Command{"get", "[--server=HOST:PORT] [--type=TYPE] SEQ|ID",
            "Prints one stored event as JSON.", vouchstream::cli::GetCommand,
            true},
    Command{"list",
            "[--after=SEQ] [--type=PATTERN] [--campaign=ID] [--customer=ID] "
            "[--limit=N]",
            "Prints stored events in log order, one JSON line each.",
            vouchstream::cli::ListCommand, true},
    Command{"quarantine", "[--server=HOST:PORT] [--reprocess=ID]",
            "Lists rejected events with their violations, or reprocesses "
            "one.",
            vouchstream::cli::QuarantineCommand, true},
};

void PrintUsage(FILE* out) {
  std::fprintf(out, "usage: vouchstream-cli COMMAND [ARGS...]\n\ncommands:\n");
  for (const Command& command : kCommands) {
    std::fprintf(out, "  %-10s %s\n  %-10s   %s\n", command.name, command.usage,
                 "", command.help);
  }
  std::fprintf(out,
               "\npublish, subscribe, get, list and quarantine also take\n"
               "  %s\n"
               "  TLS: --ca (or --tls for the system roots); mTLS: also "
               "--cert and --key;\n"
               "  --token-file sends \"authorization: Bearer <token>\";\n"
               "  --allow-loose-files accepts a --key others may read.\n",
               vouchstream::client::kChannelFlagsUsage);
}

// Runs `command`; a gRPC command's channel flags are taken off `args` and
// set for its stubs first.
int Run(const Command& command, std::vector<std::string> args) {
  if (!command.talks_grpc) {
    return command.run(args);
  }
  vouchstream::client::ChannelOptions options;
  bool allow_loose_files = false;
  std::vector<std::string> rest;
  for (std::string& arg : args) {
    if (arg == vouchstream::common::kAllowLooseFilesFlag) {
      allow_loose_files = true;
    } else if (!vouchstream::client::ParseChannelFlag(arg, &options)) {
      rest.push_back(std::move(arg));
    }
  }
  if (!allow_loose_files) {
    const absl::Status private_key =
        vouchstream::common::CheckPrivateFile("--key", options.key_file);
    if (!private_key.ok()) {
      std::fprintf(stderr, "%s: %s\n", command.name,
                   std::string{private_key.message()}.c_str());
      return 2;
    }
  }
  absl::StatusOr<vouchstream::client::ChannelFactory> factory =
      vouchstream::client::ChannelFactory::Create(options);
  if (!factory.ok()) {
    std::fprintf(stderr, "%s: %s\n", command.name,
                 std::string{factory.status().message()}.c_str());
    return 2;
  }
  vouchstream::cli::SetChannelFactory(*std::move(factory));
  return command.run(rest);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& command : kCommands) {
    if (std::strcmp(argv[1], command.name) == 0) {
      return Run(command, args);
    }
  }
  std::fprintf(stderr, "vouchstream-cli: unknown command \"%s\"\n", argv[1]);
  PrintUsage(stderr);
  return 2;
}

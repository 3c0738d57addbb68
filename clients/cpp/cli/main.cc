// vouchstream-cli: the operator's and tester's command line. Flags and
// dispatch only; each subcommand lives in its own file.

#include <array>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "clients/cpp/cli/command.h"

namespace {

using vouchstream::cli::Command;

// Keep names stable: operators script against them.
constexpr std::array kCommands = {
    Command{"transcode", "[--type=T] < BODY.json",
            "Prints the vouchstream.v1.Event a webhook body transcodes to.",
            vouchstream::cli::TranscodeCommand},
    Command{"send", "FILE --secret S [--url U] [--type T]",
            "Signs FILE as Voucherify does and POSTs it to the gateway.",
            vouchstream::cli::SendCommand},
    Command{"publish", "[--server=HOST:PORT] [--type=T] FILE",
            "Transcodes a webhook body and publishes it; prints "
            "{\"seq\":N,\"duplicate\":bool}.",
            vouchstream::cli::PublishCommand},
    Command{"subscribe",
            "[--from=earliest|latest | --after=SEQ] [--type=PATTERN] "
            "[--campaign=ID] [--customer=ID] [--limit=N] "
            "[--idle-timeout=SECONDS]",
            "Prints one JSON line per delivered event.",
            vouchstream::cli::SubscribeCommand},
    Command{"get", "[--server=HOST:PORT] SEQ|ID",
            "Prints one stored event as JSON.", vouchstream::cli::GetCommand},
    Command{"list",
            "[--after=SEQ] [--type=PATTERN] [--campaign=ID] [--customer=ID] "
            "[--limit=N]",
            "Prints stored events in log order, one JSON line each.",
            vouchstream::cli::ListCommand},
    Command{"quarantine", "[--server=HOST:PORT] [--reprocess=ID]",
            "Lists rejected events with their violations, or reprocesses "
            "one.",
            vouchstream::cli::QuarantineCommand},
};

void PrintUsage(FILE* out) {
  std::fprintf(out, "usage: vouchstream-cli COMMAND [ARGS...]\n\ncommands:\n");
  for (const Command& command : kCommands) {
    std::fprintf(out, "  %-10s %s\n  %-10s   %s\n", command.name, command.usage,
                 "", command.help);
  }
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
      return command.run(args);
    }
  }
  std::fprintf(stderr, "vouchstream-cli: unknown command \"%s\"\n", argv[1]);
  PrintUsage(stderr);
  return 2;
}

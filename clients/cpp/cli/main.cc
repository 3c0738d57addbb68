// vouchstream-cli: the operator's and tester's command line. The command
// table and dispatch only; each subcommand lives in its own file, the flags
// in flags.cc, their parsing in command_line.cc.

#include <array>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/command_line.h"
#include "clients/cpp/cli/flags.h"
#include "clients/cpp/cli/grpc_flags.h"
#include "common/channel_options.h"
#include "common/private_file.h"
#include "common/usage.h"

namespace {

using vouchstream::cli::Command;

constexpr std::array<const char*, 1> kTranscodeFlags = {"type"};
constexpr std::array<const char*, 5> kSendFlags = {
    "secret_file", "secret", "url", "type", "allow_loose_files"};
constexpr std::array<const char*, 2> kPublishFlags = {"server", "type"};
constexpr std::array<const char*, 10> kSubscribeFlags = {
    "server",   "from",     "after", "type",  "campaign",
    "customer", "metadata", "code",  "limit", "idle_timeout"};
constexpr std::array<const char*, 2> kGetFlags = {"server", "type"};
constexpr std::array<const char*, 8> kListFlags = {
    "server",   "after",    "type", "campaign",
    "customer", "metadata", "code", "limit"};
constexpr std::array<const char*, 2> kQuarantineFlags = {"server", "reprocess"};

// Keep names stable: operators script against them.
constexpr std::array kCommands = {
    Command{"transcode", "< BODY.json",
            "Prints the vouchstream.v1.Event a webhook body transcodes to "
            "(without --type: a v2024 envelope).",
            kTranscodeFlags, vouchstream::cli::TranscodeCommand},
    Command{"send", "FILE",
            "Signs FILE as Voucherify does and POSTs it to the gateway; "
            "needs --secret-file (or --secret).",
            kSendFlags, vouchstream::cli::SendCommand},
    Command{"publish", "FILE",
            "Transcodes a webhook body and publishes it; prints "
            "{\"seq\":N,\"duplicate\":bool}.",
            kPublishFlags, vouchstream::cli::PublishCommand, true},
    Command{"subscribe", "", "Prints one JSON line per delivered event.",
            kSubscribeFlags, vouchstream::cli::SubscribeCommand, true},
    Command{"get", "SEQ|ID", "Prints one stored event as JSON.", kGetFlags,
            vouchstream::cli::GetCommand, true},
    Command{"list", "",
            "Prints stored events in log order, one JSON line each.",
            kListFlags, vouchstream::cli::ListCommand, true},
    Command{"quarantine", "",
            "Lists rejected events with their violations, or reprocesses "
            "one.",
            kQuarantineFlags, vouchstream::cli::QuarantineCommand, true},
};

// Sets the stubs' channel from the channel flags; false (after saying why
// on stderr) when they are wrong.
bool SetChannel(const Command& command) {
  const vouchstream::client::ChannelOptions options =
      vouchstream::cli::ChannelOptionsFromFlags();
  if (!absl::GetFlag(FLAGS_allow_loose_files)) {
    const absl::Status private_key =
        vouchstream::common::CheckPrivateFile("--key", options.key_file);
    if (!private_key.ok()) {
      std::fprintf(stderr, "%s: %s\n", command.name,
                   std::string{private_key.message()}.c_str());
      return false;
    }
  }
  absl::StatusOr<vouchstream::client::ChannelFactory> factory =
      vouchstream::client::ChannelFactory::Create(options);
  if (!factory.ok()) {
    std::fprintf(stderr, "%s: %s\n", command.name,
                 std::string{factory.status().message()}.c_str());
    return false;
  }
  vouchstream::cli::SetChannelFactory(*std::move(factory));
  return true;
}

// Parses `args` for `command` and runs it.
int Run(const Command& command, const std::vector<std::string>& args) {
  if (vouchstream::cli::WantsHelp(args)) {
    std::fputs(vouchstream::cli::CommandUsage(command).c_str(), stdout);
    return 0;
  }
  const absl::Status flags = vouchstream::cli::CheckFlags(command, args);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s\n", std::string{flags.message()}.c_str());
    return 2;
  }
  const std::vector<std::string> positional =
      vouchstream::cli::ParseFlags(args);
  if (command.talks_grpc && !SetChannel(command)) {
    return 2;
  }
  return command.run(positional);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = vouchstream::cli::ProgramUsage(kCommands);
  vouchstream::common::SetUsage("vouchstream-cli", "clients/cpp/cli/", usage);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(usage.c_str(), stderr);
    return 2;
  }
  if (args[0] == "help" || vouchstream::cli::WantsHelp({args.data(), 1})) {
    std::fputs(usage.c_str(), stdout);
    return 0;
  }
  if (args[0] == "--version" || args[0] == "-version") {
    vouchstream::cli::ParseFlags(args);  // Abseil prints it and exits 0
  }
  for (const Command& command : kCommands) {
    if (args[0] == command.name) {
      return Run(command, {args.begin() + 1, args.end()});
    }
  }
  std::fprintf(stderr,
               "vouchstream-cli: unknown command \"%s\" (see vouchstream-cli "
               "--help)\n",
               args[0].c_str());
  return 2;
}

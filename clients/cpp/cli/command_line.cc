#include "clients/cpp/cli/command_line.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

#include "common/usage.h"

namespace vouchstream::cli {
namespace {

// Abseil's usage flags that pass through to absl::ParseCommandLine.
constexpr std::array<absl::string_view, 2> kAbslFlags = {"version", "helpfull"};

// "--idle-timeout": the spelling the documentation uses.
std::string Dashed(absl::string_view name) {
  return absl::StrCat("--", absl::StrReplaceAll(name, {{"_", "-"}}));
}

void AppendFlags(absl::Span<const char* const> names, std::string* out) {
  for (const char* name : names) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      continue;  // a table entry without a definition: main's test sees it
    }
    const std::string default_value = flag->DefaultValue();
    absl::StrAppend(out, "  ", Dashed(name), "\n      ", flag->Help(),
                    "\n      default: ",
                    default_value.empty() ? "none" : default_value, "\n");
  }
}

bool Takes(const Command& command, absl::string_view name) {
  const auto in = [name](absl::Span<const char* const> names) {
    return std::any_of(names.begin(), names.end(),
                       [name](const char* taken) { return name == taken; });
  };
  return in(command.flags) || (command.talks_grpc && in(kChannelFlags));
}

// The flag `name` names, as Abseil reads it ("notls" is --tls=false);
// nullptr when there is none. Renames `name` to the flag's name.
absl::CommandLineFlag* Lookup(std::string* name) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(*name);
  if (flag == nullptr && absl::StartsWith(*name, "no")) {
    flag = absl::FindCommandLineFlag(absl::string_view(*name).substr(2));
    if (flag != nullptr && flag->IsOfType<bool>()) {
      name->erase(0, 2);
      return flag;
    }
    return nullptr;
  }
  return flag;
}

}  // namespace

std::string CommandUsage(const Command& command) {
  std::string out =
      absl::StrCat("usage: vouchstream-cli ", command.name, " [FLAGS]",
                   *command.args == '\0' ? "" : " ", command.args, "\n",
                   command.help, "\n\nflags:\n");
  AppendFlags(command.flags, &out);
  if (command.talks_grpc) {
    absl::StrAppend(&out, "\nconnection flags:\n");
    AppendFlags(kChannelFlags, &out);
  }
  return out;
}

std::string ProgramUsage(absl::Span<const Command> commands) {
  std::string out =
      "usage: vouchstream-cli COMMAND [FLAGS] [ARGS...]\n"
      "       vouchstream-cli COMMAND --help\n"
      "       vouchstream-cli --version\n\ncommands:\n";
  for (const Command& command : commands) {
    absl::StrAppend(&out, "  ", command.name, *command.args == '\0' ? "" : " ",
                    command.args, "\n      ", command.help, "\n");
  }
  for (const Command& command : commands) {
    absl::StrAppend(&out, "\n", CommandUsage(command));
  }
  return out;
}

bool WantsHelp(absl::Span<const std::string> args) {
  for (const std::string& arg : args) {
    if (arg == "--") {
      return false;
    }
    if (arg == "--help" || arg == "-help" || arg == "-h" ||
        arg == "--helpshort" || arg == "-helpshort") {
      return true;
    }
  }
  return false;
}

absl::Status CheckFlags(const Command& command,
                        absl::Span<const std::string> args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      continue;  // a positional argument ("-" too)
    }
    const size_t start = arg[1] == '-' ? 2 : 1;
    const size_t equals = arg.find('=');
    const std::string given = arg.substr(0, equals);
    std::string name = absl::StrReplaceAll(
        absl::string_view(arg).substr(start, equals - start), {{"-", "_"}});
    absl::CommandLineFlag* flag = Lookup(&name);
    if (std::any_of(kAbslFlags.begin(), kAbslFlags.end(),
                    [&name](absl::string_view own) { return name == own; })) {
      continue;  // Abseil's own: ParseFlags hands them to Abseil
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(command.name, ": unknown flag ", given));
    }
    if (!Takes(command, name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          command.name, ": ", given, " is not a flag of ", command.name,
          " (see vouchstream-cli ", command.name, " --help)"));
    }
    // The value is set here already (ParseCommandLine sets it again), so
    // that a bad one is a usage error too, named like the others.
    std::string value;
    if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < args.size()) {
      value = args[++i];  // "--type T"
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(command.name, ": ", given, " needs a value"));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(command.name, ": ", given, ": ", error));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> ParseFlags(absl::Span<const std::string> args) {
  std::vector<std::string> storage = {"vouchstream-cli"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (std::string& arg : storage) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  const int argc = static_cast<int>(storage.size());
  common::NormalizeFlagNames(argc, argv.data());
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv.data());
  return {positional.begin() + 1, positional.end()};
}

}  // namespace vouchstream::cli

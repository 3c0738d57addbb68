#pragma once
// vouchstream-cli's command line on Abseil's flags: the first argument
// picks the command, the rest is parsed by absl::ParseCommandLine (dashes in
// flag names read as underscores: `--idle-timeout`, `--idle_timeout`). A
// command refuses the flags it does not take (Command::flags), and its
// usage text is generated from the flag definitions (their help and their
// defaults, from Abseil's flag registry).
//
//   if (WantsHelp(args)) { print CommandUsage(command); }
//   absl::Status flags = CheckFlags(command, args);  // exit 2 if not ok
//   std::vector<std::string> positional = ParseFlags(args);
//
// Not thread-safe: main() calls these once, before any thread starts.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

#include "clients/cpp/cli/command.h"

namespace vouchstream::cli {

// "usage: vouchstream-cli CMD [FLAGS] ARGS", the command's sentence, and
// each flag it takes with its help and default, the channel flags of a
// talking command in a group of their own.
std::string CommandUsage(const Command& command);

// The usage of every command in `commands`, and how to ask for one.
std::string ProgramUsage(absl::Span<const Command> commands);

// True when `args` (before any "--") holds --help, -h or --helpshort.
bool WantsHelp(absl::Span<const std::string> args);

// OK when every flag in `args` is one `command` takes (or --version,
// --helpfull) with a value its type reads; otherwise kInvalidArgument
// naming the flag as given and the command: `subscribe: --secret-file is not
// a flag of subscribe`, `get: unknown flag --srever`, `list: --limit: ...`.
// Sets the values it checks (ParseFlags sets them again).
absl::Status CheckFlags(const Command& command,
                        absl::Span<const std::string> args);

// Sets the flags in `args` with absl::ParseCommandLine and returns the
// positional arguments. Call after CheckFlags: Abseil ends the process on
// what CheckFlags refuses (exit code 1), and on --version (0).
std::vector<std::string> ParseFlags(absl::Span<const std::string> args);

}  // namespace vouchstream::cli

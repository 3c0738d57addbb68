#pragma once
// `--help` and `--version` for the binaries. Abseil's default help lists the
// flags of source files named after the program, which a binary built from
// "main.cc" never matches ("No flags matched"); this matches the flags
// defined in the binary's own folder instead, so that `--help` (and
// `--helpshort`) print exactly that binary's flags, grouped by file, with
// their defaults, and `--version` prints "<program> <version>".
//
// Call once in main(), before absl::ParseCommandLine.

#include "absl/strings/string_view.h"

namespace vouchstream::common {

// `program`: the binary's name ("vouchstream-gateway"); `folder`: the source
// folder whose flags are the binary's own ("gateway/"); `usage`: the first
// lines of --help.
void SetUsage(absl::string_view program, absl::string_view folder,
              absl::string_view usage);

// Abseil flag names are identifiers, while the documented command lines use
// dashes (`--secret-file`): rewrites, in place, the dashes in the name part
// of every "--name[=value]" of `argv` (argv[0] excluded) as underscores.
// Call before absl::ParseCommandLine.
void NormalizeFlagNames(int argc, char** argv);

}  // namespace vouchstream::common

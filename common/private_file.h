#pragma once
// Refuses to start with a secret file that group or others may read (a
// webhook secret file, an access file, a TLS private key), the way ssh's
// StrictModes does; every binary has the same override flag,
// `--allow-loose-files`, for deployments that protect the files otherwise.
//
//   absl::Status s = common::CheckPrivateFile("--tls-key", key_path);
//   if (!s.ok() && !allow_loose_files) { /* print s.message(), exit */ }
//
// Thread-safe: free functions without state.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace vouchstream::common {

// The override flag's name, as every binary spells it.
inline constexpr absl::string_view kAllowLooseFilesFlag = "--allow-loose-files";

// OK when group and others cannot read `path` (mode & 044 == 0), or when
// `path` cannot be examined at all: the code that reads it then reports
// that, with its usual message. Otherwise kFailedPrecondition naming `flag`,
// the file and its mode:
// `--secret-file data/webhook-secret: mode 0644 lets group/others read it;
// chmod 600 it, or pass --allow-loose-files`.
absl::Status CheckPrivateFile(absl::string_view flag, const std::string& path);

}  // namespace vouchstream::common

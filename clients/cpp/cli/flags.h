#pragma once
// The flags of vouchstream-cli, all of its commands together: Abseil's
// flags are global, so a name such as `--type` is defined once here and
// read by every command that takes it. Which command takes which flag is
// main.cc's table (`Command::flags`); command_line.h refuses the others.
// Spelled with underscores here; the command line accepts dashes too
// (`--idle-timeout`, `--secret-file`).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/types/optional.h"

// Talking commands (publish, subscribe, get, list, quarantine).
ABSL_DECLARE_FLAG(std::string, server);
// Filters (subscribe, list); several values are comma-separated.
ABSL_DECLARE_FLAG(std::vector<std::string>, type);
ABSL_DECLARE_FLAG(std::vector<std::string>, campaign);
ABSL_DECLARE_FLAG(std::vector<std::string>, customer);
ABSL_DECLARE_FLAG(std::vector<std::string>, metadata);
ABSL_DECLARE_FLAG(std::string, code);
// Positions and bounds.
ABSL_DECLARE_FLAG(std::string, from);
ABSL_DECLARE_FLAG(absl::optional<uint64_t>, after);
ABSL_DECLARE_FLAG(absl::optional<int64_t>, limit);
ABSL_DECLARE_FLAG(double, idle_timeout);
ABSL_DECLARE_FLAG(uint64_t, reprocess);
// send.
ABSL_DECLARE_FLAG(std::string, secret_file);
ABSL_DECLARE_FLAG(std::string, secret);
ABSL_DECLARE_FLAG(std::string, url);
// The channel (common/channel_options.h) of the talking commands.
ABSL_DECLARE_FLAG(bool, tls);
ABSL_DECLARE_FLAG(std::string, ca);
ABSL_DECLARE_FLAG(std::string, cert);
ABSL_DECLARE_FLAG(std::string, key);
ABSL_DECLARE_FLAG(std::string, server_name);
ABSL_DECLARE_FLAG(std::string, token_file);
ABSL_DECLARE_FLAG(bool, allow_loose_files);

namespace vouchstream::cli {

// The one `--type` of transcode, send, publish and get: empty when not
// given; kInvalidArgument (naming `command`) for more than one.
absl::StatusOr<std::string> SingleTypeFlag(const char* command);

}  // namespace vouchstream::cli

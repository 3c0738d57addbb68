#pragma once
// Reads the access file (`--access=PATH`): JSON in the shape of
// service/auth/access_config.proto, parsed by protobuf's JSON parser, so that
// an unknown key or a wrong type is an error that names it. Only the syntax
// is checked here; AccessPolicy::Create checks the meaning.
//
//   absl::StatusOr<AccessConfig> config =
//   ReadAccessConfig("/etc/vs/access.json");
//
// Thread-safe: free functions without shared state.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vouchstream/access/access_config.pb.h"

namespace vouchstream::auth {

using AccessConfig = ::vouchstream::access::AccessConfig;

// kInvalidArgument naming the problem (protobuf's message).
absl::StatusOr<AccessConfig> ParseAccessConfig(absl::string_view json);

// kNotFound when `path` cannot be read; else as ParseAccessConfig, with the
// path in the message.
absl::StatusOr<AccessConfig> ReadAccessConfig(const std::string& path);

}  // namespace vouchstream::auth

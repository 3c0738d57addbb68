#pragma once
// What vouchstream-gateway runs with, read from its command-line flags and
// checked before anything is opened:
//
//   absl::ParseCommandLine(argc, argv);
//   absl::StatusOr<GatewayConfig> config = GatewayConfig::FromFlags();
//   if (!config.ok()) ...  // names the flag; the gateway exits with 2
//
// The flags are defined in gateway_config.cc (so `--help` lists them as the
// gateway's own); gateway_options.h tables the HTTP side's.

#include "absl/status/statusor.h"

#include "common/channel_options.h"
#include "gateway/http/gateway_options.h"

namespace vouchstream::gateway {

struct GatewayConfig {
  // What every HTTP connection sees (listen, secrets, limits, timeouts, TLS).
  GatewayOptions http;
  // --upstream-tls, --upstream-ca, --upstream-cert, --upstream-key,
  // --upstream-server-name, --upstream-token-file.
  client::ChannelOptions upstream_channel;
  // --allow-loose-files: a reload accepts a secret file or key that group or
  // others may read (the start-up check is FromFlags').
  bool allow_loose_files = false;

  // The flags as parsed by absl::ParseCommandLine, with `http.instance`
  // defaulted to hostname:pid. Errors: kInvalidArgument for a missing
  // --upstream, or --secret-file without --insecure-skip-signature;
  // kFailedPrecondition for a --secret-file, --tls-key or --upstream-key
  // that group or others may read (without --allow-loose-files).
  static absl::StatusOr<GatewayConfig> FromFlags();
};

}  // namespace vouchstream::gateway

#pragma once
// vouchstream-gateway's parts wired together: the webhook secrets, the
// gRPC channel and PublishStreams to the service, the upstream health
// check, the metrics, the HTTP(S) server, and the signals that reload and
// stop them.
//
//   absl::StatusOr<std::unique_ptr<Gateway>> gateway =
//       Gateway::Create(config);   // binds the port
//   if (!gateway.ok()) ...
//   (*gateway)->Run();             // until SIGTERM or SIGINT
//
// `Run` prints "listening on HOST:PORT" on stdout, tells systemd READY,
// reloads the secrets and the HTTPS certificate on SIGHUP
// (gateway/reloader.h), and on a stop signal closes the HTTP side first (no
// new work) and then the streams. Log lines are JSON on stderr
// (common/json_log.h). The signals must be blocked before any thread starts
// (common::BlockStopSignals, first thing in main).

#include <memory>

#include "absl/status/statusor.h"

#include "gateway/gateway_config.h"

namespace vouchstream::gateway {

class Gateway {
 public:
  // Errors: kUnavailable when the HTTP port cannot be bound; otherwise what
  // a flag's file or value is wrong (secrets, upstream TLS files, listen
  // address, --allow-from, HTTPS files).
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(GatewayConfig config);

  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;
  // Stops whatever still runs.
  ~Gateway();

  // Serves until SIGTERM or SIGINT, then shuts down. Call once.
  void Run();

 private:
  struct Parts;

  explicit Gateway(GatewayConfig config);
  absl::Status Open();

  const GatewayConfig config_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace vouchstream::gateway

#pragma once
// vouchstream-server's parts wired together: the event log, the broker, the
// publisher, the gRPC service (with health and reflection), the metrics
// endpoint, and the signals that reload and stop them.
//
//   absl::StatusOr<std::unique_ptr<Server>> server = Server::Create(config);
//   if (!server.ok()) ...          // nothing is left running
//   absl::Status run = (*server)->Run();  // until SIGTERM or SIGINT
//
// `Create` opens everything and starts listening (it fails with a status
// whose message starts with what could not be done, e.g. "cannot open the
// event log: ..."). `Run` prints "listening on HOST:PORT" (after "metrics on
// HOST:PORT" with a metrics endpoint) on stdout, tells systemd READY, serves
// until a stop signal (SIGHUP reloads the reference data, the access file
// and the TLS files), then drains: health goes NOT_SERVING, open streams
// are told to go (clients resume from their cursor), in-flight calls get
// `drain_timeout` to finish, and the log is closed. Log lines are JSON on
// stderr (common/json_log.h).
//
// The signals must be blocked before any thread starts
// (common::BlockStopSignals, first thing in main).

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "service/server/server_config.h"

namespace vouchstream::server {

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Create(ServerConfig config);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Stops whatever is still running (without draining).
  ~Server();

  // Serves until SIGTERM or SIGINT, then drains and stops. Call once.
  absl::Status Run();

 private:
  struct Parts;

  explicit Server(ServerConfig config);
  absl::Status Open();
  absl::Status Listen();
  void Reload();
  void Drain();

  const ServerConfig config_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace vouchstream::server

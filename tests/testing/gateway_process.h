#pragma once
// Runs the real `vouchstream-gateway` binary for integration and fault
// tests: writes its secret file, starts it on 127.0.0.1 port 0 in front of
// `upstream`, reads the port it prints, and waits (with a deadline, never a
// sleep) until `GET /readyz` answers 200, i.e. the service behind it is
// SERVING.
//
//   GatewayProcess::Options options;
//   options.upstream = server->address();
//   options.secret = "s3cret";
//   options.secret_dir = dir.path();
//   options.extra_args = {"--publish-deadline=2s"};
//   auto gateway = GatewayProcess::Start(options);
//   ASSERT_THAT(gateway, IsOk());
//   ... POST to 127.0.0.1:(*gateway)->port() ...
//
// Thread-compatible.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include <sys/types.h>

#include "tests/testing/child_process.h"

namespace vouchstream::testing {

class GatewayProcess {
 public:
  struct Options {
    // The service, "HOST:PORT" (`--upstream`).
    std::string upstream;
    // The one webhook secret, written to `secret_dir`/gateway-secrets.
    std::string secret;
    std::string secret_dir;
    // More flags, e.g. "--publish-deadline=2s".
    std::vector<std::string> extra_args;
    // Whether Start waits for `GET /readyz` (plain HTTP). False for an
    // HTTPS gateway (`--tls-cert`): Start returns once the port is printed
    // and the caller probes over TLS.
    bool wait_ready = true;
    absl::Duration start_timeout = absl::Seconds(20);
  };

  static absl::StatusOr<std::unique_ptr<GatewayProcess>> Start(
      const Options& options);

  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;
  // Kills the process if it still runs.
  ~GatewayProcess() = default;

  int port() const { return process_->port(); }
  pid_t pid() const { return process_->pid(); }

  // Polls `GET /readyz` until it answers 200; kDeadlineExceeded with the
  // last answer otherwise.
  absl::Status WaitReady(absl::Duration timeout) const;

  // Sends SIGTERM and waits for the exit; kInternal unless it exits 0
  // within `timeout`.
  absl::Status Stop(absl::Duration timeout = absl::Seconds(20));

 private:
  explicit GatewayProcess(std::unique_ptr<ChildProcess> process)
      : process_(std::move(process)) {}

  std::unique_ptr<ChildProcess> process_;
};

}  // namespace vouchstream::testing

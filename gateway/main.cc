// vouchstream-gateway: Voucherify webhooks in (HTTP/1.1), durable events out
// (gRPC PublishStream to vouchstream-server). `--help` lists the flags
// (gateway/gateway_config.cc); gateway/gateway.h says what the gateway
// prints, logs and does on signals.
//
//   vouchstream-gateway --listen=127.0.0.1:8080 --upstream=127.0.0.1:50051
//       --secret-file=webhook-secret
//
// Exits 2 when a flag or a file it names is wrong, 1 when the port cannot
// be bound.

#include <memory>

#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "common/json_log.h"
#include "common/stop_signals.h"
#include "common/usage.h"
#include "gateway/gateway.h"
#include "gateway/gateway_config.h"

namespace {

int Fail(const absl::Status& status) {
  vouchstream::common::LogError("cannot start", {{"status", status}});
  return status.code() == absl::StatusCode::kUnavailable ? 1 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  namespace common = vouchstream::common;
  using vouchstream::gateway::Gateway;
  using vouchstream::gateway::GatewayConfig;
  // Before any thread (gRPC's included) starts, so every thread inherits
  // the mask and the signals reach Run's sigwait.
  common::BlockStopSignals();
  common::SetUsage(
      "vouchstream-gateway", "gateway/",
      "Receives Voucherify webhooks over HTTP(S), checks them and hands them "
      "to vouchstream-server over gRPC.\n\n"
      "  vouchstream-gateway --listen=HOST:PORT --upstream=HOST:PORT "
      "--secret-file=FILE [--insecure-skip-signature] "
      "[--max-body-bytes=1048576] [--threads=N]");
  common::NormalizeFlagNames(argc, argv);
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<GatewayConfig> config = GatewayConfig::FromFlags();
  if (!config.ok()) {
    return Fail(config.status());
  }
  absl::StatusOr<std::unique_ptr<Gateway>> gateway =
      Gateway::Create(*std::move(config));
  if (!gateway.ok()) {
    return Fail(gateway.status());
  }
  (*gateway)->Run();
  return 0;
}

#include "gateway/gateway.h"

#include <cstdio>
#include <memory>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include <grpcpp/grpcpp.h>

#include "common/channel_options.h"
#include "common/json_log.h"
#include "common/stop_signals.h"
#include "common/systemd_notify.h"
#include "gateway/http/gateway_context.h"
#include "gateway/http/http_server.h"
#include "gateway/reloader.h"
#include "gateway/upstream/forwarder.h"
#include "gateway/upstream/upstream_health.h"
#include "gateway/upstream/upstream_state_metric.h"
#include "gateway/webhook/metrics.h"
#include "gateway/webhook/webhook_secrets.h"

namespace vouchstream::gateway {
namespace {

using common::LogInfo;

// `status` with `what` in front of its message, same code.
absl::Status Annotate(absl::string_view what, const absl::Status& status) {
  return {status.code(), absl::StrCat(what, ": ", status.message())};
}

std::shared_ptr<grpc::Channel> MakeChannel(
    const client::ChannelFactory& factory, const std::string& upstream) {
  grpc::ChannelArguments args;
  // Reconnect quickly once the service is back: Voucherify's retry should
  // land on the first attempt after a restart, not after gRPC's default
  // backoff of up to two minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  return factory.Connect(upstream, args);
}

}  // namespace

// Declared in the order they are built; destroyed in reverse, so the HTTP
// server stops before the forwarder and the secrets its connections use.
struct Gateway::Parts {
  std::unique_ptr<WebhookSecrets> secrets;  // null: verification off
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<Forwarder> forwarder;
  std::unique_ptr<UpstreamHealth> health;
  Metrics metrics;
  std::unique_ptr<HttpServer> server;

  ~Parts() {
    if (server != nullptr) {
      server->Shutdown();
    }
    if (forwarder != nullptr) {
      forwarder->Shutdown();
    }
  }
};

Gateway::Gateway(GatewayConfig config)
    : config_(std::move(config)), parts_(std::make_unique<Parts>()) {}

Gateway::~Gateway() = default;

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(GatewayConfig config) {
  auto gateway = absl::WrapUnique(new Gateway(std::move(config)));
  absl::Status opened = gateway->Open();
  if (!opened.ok()) {
    return opened;
  }
  return gateway;
}

absl::Status Gateway::Open() {
  Parts& parts = *parts_;
  if (config_.http.insecure_skip_signature) {
    common::LogWarning(
        "--insecure-skip-signature: webhook signatures are NOT verified; "
        "anyone who can reach this port can inject events. Local "
        "development only.");
  } else {
    absl::StatusOr<std::unique_ptr<WebhookSecrets>> secrets =
        WebhookSecrets::Load(config_.http.secret_file);
    if (!secrets.ok()) {
      return secrets.status();
    }
    parts.secrets = *std::move(secrets);
  }
  const absl::StatusOr<client::ChannelFactory> channels =
      client::ChannelFactory::Create(config_.upstream_channel);
  if (!channels.ok()) {
    // ChannelFactory names the flags as the clients spell them (--ca).
    return Annotate("upstream (--upstream-*)", channels.status());
  }
  parts.channel = MakeChannel(*channels, config_.http.upstream);
  Forwarder::Options forwarder_options;
  forwarder_options.streams = config_.http.streams;
  parts.forwarder =
      std::make_unique<Forwarder>(parts.channel, forwarder_options);
  parts.health = std::make_unique<UpstreamHealth>(parts.channel);
  parts.metrics.AddCollector(
      std::make_shared<UpstreamStateMetric>(parts.channel));

  GatewayContext context;
  context.options = &config_.http;
  context.secrets = parts.secrets.get();
  context.forwarder = parts.forwarder.get();
  context.health = parts.health.get();
  context.metrics = &parts.metrics;
  absl::StatusOr<std::unique_ptr<HttpServer>> server =
      HttpServer::Create(config_.http.listen, config_.http.threads, context);
  if (!server.ok()) {
    return server.status();
  }
  parts.server = *std::move(server);
  return absl::OkStatus();
}

void Gateway::Run() {
  Parts& parts = *parts_;
  parts.server->Start();
  std::printf("listening on %s\n", parts.server->address().c_str());
  std::fflush(stdout);
  LogInfo("serving", {{"listen", parts.server->address()},
                      {"upstream", config_.http.upstream},
                      {"https", parts.server->tls()}});
  common::NotifyReady();
  Reloader reloader({config_.http.secret_file, config_.http.tls_key,
                     config_.allow_loose_files},
                    parts.secrets.get(), parts.server.get());
  const int signal = common::WaitForStopSignal([&reloader] {
    // Failures are logged by Reload and change nothing: keep serving.
    static_cast<void>(reloader.Reload());
  });
  LogInfo("stop signal received; shutting down",
          {{"signal", common::SignalName(signal)}});
  // HTTP first (no new work), then the streams (pending requests fail; their
  // connections are already gone, so nothing is answered 2xx wrongly).
  parts.server->Shutdown();
  parts.forwarder->Shutdown();
  parts.server.reset();
  LogInfo("stopped");
}

}  // namespace vouchstream::gateway

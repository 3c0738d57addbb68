// vouchstream-gateway: Voucherify webhooks in (HTTP/1.1), durable events out
// (gRPC PublishStream to vouchstream-server). Flags are tabled in
// gateway/gateway_options.h. Prints "listening on HOST:PORT" once ready to
// accept, reloads its secrets and HTTPS certificate on SIGHUP, and shuts
// down on SIGINT/SIGTERM (gateway/reloader.h; systemd Type=notify).

#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include <grpcpp/grpcpp.h>

#include "common/channel_options.h"
#include "common/private_file.h"
#include "common/systemd_notify.h"
#include "common/usage.h"
#include "gateway/forwarder.h"
#include "gateway/gateway_options.h"
#include "gateway/http_server.h"
#include "gateway/http_session.h"
#include "gateway/metrics.h"
#include "gateway/reloader.h"
#include "gateway/upstream_health.h"
#include "gateway/upstream_state_metric.h"
#include "gateway/webhook_secrets.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "HTTP address HOST:PORT; port 0 picks a free port");
ABSL_FLAG(std::string, upstream, "",
          "vouchstream-server gRPC address HOST:PORT");
ABSL_FLAG(std::string, secret_file, "",
          "file with the webhook secrets, one per line (rotation)");
ABSL_FLAG(bool, insecure_skip_signature, false,
          "accept unsigned webhooks: local development only");
ABSL_FLAG(bool, require_envelope, false,
          "refuse bare event bodies (POST /webhooks/voucherify/{type}) with "
          "400: for accounts that send the v2024 envelope, whose type the "
          "signature covers");
ABSL_FLAG(int64_t, max_body_bytes, 1 << 20, "largest accepted body (413)");
ABSL_FLAG(int, threads, 2, "HTTP I/O threads");
ABSL_FLAG(int, streams, 2, "PublishStream calls kept open to the service");
ABSL_FLAG(absl::Duration, publish_deadline, absl::Seconds(5),
          "answer 503 when the service has not acked within this time");
ABSL_FLAG(absl::Duration, idle_timeout, absl::Seconds(60),
          "close keep-alive connections idle this long");
ABSL_FLAG(absl::Duration, read_timeout, absl::Seconds(10),
          "close a connection whose request (headers and body) has not "
          "fully arrived this long after its first byte (slowloris)");
ABSL_FLAG(absl::Duration, header_timeout, absl::Seconds(10),
          "answer 408 and close when a request's headers have not arrived "
          "this long after its first byte");
ABSL_FLAG(absl::Duration, body_timeout, absl::Seconds(10),
          "answer 408 and close when a request's body has not arrived this "
          "long after its headers");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain: serve HTTPS (with --tls-key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert");
ABSL_FLAG(std::string, allow_from, "",
          "comma-separated CIDRs allowed to send webhooks (403 otherwise); "
          "empty allows every source; /healthz, /readyz, /metrics skip it");
ABSL_FLAG(double, rate_limit, 0,
          "requests per second per source IP on webhook routes (429 "
          "beyond); 0 = off");
ABSL_FLAG(int, rate_burst, 10, "requests a source may send at once");
ABSL_FLAG(int64_t, rate_limit_sources, 10000,
          "most sources the rate limiter tracks (memory bound)");
ABSL_FLAG(int, max_connections, 0,
          "most open HTTP connections; beyond, 503 and close; 0 = no limit");
ABSL_FLAG(bool, upstream_tls, false,
          "TLS to the service, verified against the system's roots (implied "
          "by --upstream-ca)");
ABSL_FLAG(std::string, upstream_ca, "",
          "PEM CA the service's certificate must chain to (TLS)");
ABSL_FLAG(std::string, upstream_cert, "",
          "PEM client certificate for mTLS to the service (with "
          "--upstream-key)");
ABSL_FLAG(std::string, upstream_key, "", "PEM private key of --upstream-cert");
ABSL_FLAG(bool, allow_loose_files, false,
          "start even when --secret-file, --tls-key or --upstream-key is "
          "readable by group or others (by default such a file stops the "
          "start)");
ABSL_FLAG(std::string, upstream_server_name, "",
          "name expected in the service's certificate, when not the "
          "--upstream host");
ABSL_FLAG(std::string, upstream_token_file, "",
          "file with the bearer token sent to the service on every call");
ABSL_FLAG(std::string, instance, "",
          "this gateway's name in Event.ingress (default hostname:pid)");

namespace {

using vouchstream::gateway::Forwarder;
using vouchstream::gateway::GatewayContext;
using vouchstream::gateway::GatewayOptions;
using vouchstream::gateway::HttpServer;
using vouchstream::gateway::Metrics;
using vouchstream::gateway::UpstreamHealth;
using vouchstream::gateway::WebhookSecrets;

std::string DefaultInstance() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) {
    host[0] = '\0';
  }
  return absl::StrCat(host.data(), ":", getpid());
}

std::shared_ptr<grpc::Channel> MakeChannel(
    const vouchstream::client::ChannelFactory& factory,
    const std::string& upstream) {
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

// The --upstream-* TLS and token flags.
absl::StatusOr<vouchstream::client::ChannelFactory> UpstreamChannelFactory() {
  vouchstream::client::ChannelOptions options;
  options.tls = absl::GetFlag(FLAGS_upstream_tls);
  options.ca_file = absl::GetFlag(FLAGS_upstream_ca);
  options.cert_file = absl::GetFlag(FLAGS_upstream_cert);
  options.key_file = absl::GetFlag(FLAGS_upstream_key);
  options.server_name = absl::GetFlag(FLAGS_upstream_server_name);
  options.token_file = absl::GetFlag(FLAGS_upstream_token_file);
  return vouchstream::client::ChannelFactory::Create(options);
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by sigwait below; block them before any thread
  // (gRPC's included) starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  vouchstream::common::SetUsage(
      "vouchstream-gateway", "gateway/",
      "Receives Voucherify webhooks over HTTP(S), checks them and hands them "
      "to vouchstream-server over gRPC.\n\n"
      "  vouchstream-gateway --listen=HOST:PORT --upstream=HOST:PORT "
      "--secret-file=FILE [--insecure-skip-signature] "
      "[--max-body-bytes=1048576] [--threads=N]");
  vouchstream::common::NormalizeFlagNames(argc, argv);
  absl::ParseCommandLine(argc, argv);

  GatewayOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.upstream = absl::GetFlag(FLAGS_upstream);
  options.secret_file = absl::GetFlag(FLAGS_secret_file);
  options.insecure_skip_signature =
      absl::GetFlag(FLAGS_insecure_skip_signature);
  options.require_envelope = absl::GetFlag(FLAGS_require_envelope);
  options.max_body_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_body_bytes));
  options.threads = absl::GetFlag(FLAGS_threads);
  options.streams = absl::GetFlag(FLAGS_streams);
  options.publish_deadline = absl::GetFlag(FLAGS_publish_deadline);
  options.idle_timeout = absl::GetFlag(FLAGS_idle_timeout);
  options.read_timeout = absl::GetFlag(FLAGS_read_timeout);
  options.header_timeout = absl::GetFlag(FLAGS_header_timeout);
  options.body_timeout = absl::GetFlag(FLAGS_body_timeout);
  options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_tls_key);
  options.allow_from = absl::GetFlag(FLAGS_allow_from);
  options.rate_limit = absl::GetFlag(FLAGS_rate_limit);
  options.rate_burst = absl::GetFlag(FLAGS_rate_burst);
  // Negative becomes 0, which HttpServer::Create refuses.
  options.rate_limit_sources = static_cast<size_t>(
      std::max<int64_t>(0, absl::GetFlag(FLAGS_rate_limit_sources)));
  options.max_connections = absl::GetFlag(FLAGS_max_connections);
  options.instance = absl::GetFlag(FLAGS_instance);
  if (options.instance.empty()) {
    options.instance = DefaultInstance();
  }
  if (options.upstream.empty()) {
    std::fprintf(stderr, "vouchstream-gateway: --upstream is required\n");
    return 2;
  }

  if (!absl::GetFlag(FLAGS_allow_loose_files)) {
    for (const auto& [flag, path] :
         {std::pair<absl::string_view, std::string>{"--secret-file",
                                                    options.secret_file},
          {"--tls-key", options.tls_key},
          {"--upstream-key", absl::GetFlag(FLAGS_upstream_key)}}) {
      const absl::Status private_file =
          vouchstream::common::CheckPrivateFile(flag, path);
      if (!private_file.ok()) {
        std::fprintf(stderr, "vouchstream-gateway: %s\n",
                     std::string{private_file.message()}.c_str());
        return 2;
      }
    }
  }

  std::unique_ptr<WebhookSecrets> secrets;
  if (options.insecure_skip_signature) {
    std::fprintf(stderr,
                 "vouchstream-gateway: WARNING: --insecure-skip-signature: "
                 "webhook signatures are NOT verified; anyone who can reach "
                 "this port can inject events. Local development only.\n");
  } else {
    if (options.secret_file.empty()) {
      std::fprintf(stderr,
                   "vouchstream-gateway: --secret-file is required (or "
                   "--insecure-skip-signature for local development)\n");
      return 2;
    }
    auto created = WebhookSecrets::Load(options.secret_file);
    if (!created.ok()) {
      std::fprintf(stderr, "vouchstream-gateway: %s\n",
                   created.status().ToString().c_str());
      return 2;
    }
    secrets = *std::move(created);
  }

  const absl::StatusOr<vouchstream::client::ChannelFactory> upstream_channels =
      UpstreamChannelFactory();
  if (!upstream_channels.ok()) {
    // ChannelFactory names the flags as the clients spell them (--ca).
    std::fprintf(stderr, "vouchstream-gateway: upstream (--upstream-*): %s\n",
                 upstream_channels.status().ToString().c_str());
    return 2;
  }
  std::shared_ptr<grpc::Channel> channel =
      MakeChannel(*upstream_channels, options.upstream);
  Forwarder::Options forwarder_options;
  forwarder_options.streams = options.streams;
  Forwarder forwarder(channel, forwarder_options);
  UpstreamHealth health(channel);
  Metrics metrics;
  metrics.AddCollector(
      std::make_shared<vouchstream::gateway::UpstreamStateMetric>(channel));

  GatewayContext context;
  context.options = &options;
  context.secrets = secrets.get();
  context.forwarder = &forwarder;
  context.health = &health;
  context.metrics = &metrics;

  auto server = HttpServer::Create(options.listen, options.threads, context);
  if (!server.ok()) {
    std::fprintf(stderr, "vouchstream-gateway: %s\n",
                 server.status().ToString().c_str());
    forwarder.Shutdown();
    return 1;
  }
  (*server)->Start();
  std::printf("listening on %s\n", (*server)->address().c_str());
  std::fflush(stdout);
  vouchstream::common::NotifyReady();

  vouchstream::gateway::Reloader reloader(
      {options.secret_file, options.tls_key,
       absl::GetFlag(FLAGS_allow_loose_files)},
      secrets.get(), server->get());
  const int signal_number =
      vouchstream::gateway::WaitForStopSignal(signals, reloader);
  std::fprintf(stderr, "vouchstream-gateway: signal %d, shutting down\n",
               signal_number);
  // HTTP first (no new work), then the streams (pending requests fail; their
  // connections are already gone, so nothing is answered 2xx wrongly).
  (*server)->Shutdown();
  forwarder.Shutdown();
  server->reset();
  return 0;
}

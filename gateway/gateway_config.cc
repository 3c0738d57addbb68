#include "gateway/gateway_config.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "common/private_file.h"

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

namespace vouchstream::gateway {
namespace {

std::string DefaultInstance() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) {
    host[0] = '\0';
  }
  return absl::StrCat(host.data(), ":", getpid());
}

GatewayOptions HttpFromFlags() {
  GatewayOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.upstream = absl::GetFlag(FLAGS_upstream);
  options.secret_file = absl::GetFlag(FLAGS_secret_file);
  options.insecure_skip_signature =
      absl::GetFlag(FLAGS_insecure_skip_signature);
  options.require_envelope = absl::GetFlag(FLAGS_require_envelope);
  options.max_body_bytes = static_cast<size_t>(
      std::max<int64_t>(0, absl::GetFlag(FLAGS_max_body_bytes)));
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
  return options;
}

client::ChannelOptions UpstreamFromFlags() {
  client::ChannelOptions options;
  options.tls = absl::GetFlag(FLAGS_upstream_tls);
  options.ca_file = absl::GetFlag(FLAGS_upstream_ca);
  options.cert_file = absl::GetFlag(FLAGS_upstream_cert);
  options.key_file = absl::GetFlag(FLAGS_upstream_key);
  options.server_name = absl::GetFlag(FLAGS_upstream_server_name);
  options.token_file = absl::GetFlag(FLAGS_upstream_token_file);
  return options;
}

// The secret file and both keys must not be readable by group or others.
absl::Status CheckPrivateFiles(const GatewayConfig& config) {
  for (const auto& [flag, path] :
       {std::pair<absl::string_view, std::string>{"--secret-file",
                                                  config.http.secret_file},
        {"--tls-key", config.http.tls_key},
        {"--upstream-key", config.upstream_channel.key_file}}) {
    absl::Status status = common::CheckPrivateFile(flag, path);
    if (!status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GatewayConfig> GatewayConfig::FromFlags() {
  GatewayConfig config;
  config.http = HttpFromFlags();
  config.upstream_channel = UpstreamFromFlags();
  config.allow_loose_files = absl::GetFlag(FLAGS_allow_loose_files);
  if (config.http.upstream.empty()) {
    return absl::InvalidArgumentError("--upstream is required");
  }
  if (!config.http.insecure_skip_signature && config.http.secret_file.empty()) {
    return absl::InvalidArgumentError(
        "--secret-file is required (or --insecure-skip-signature for local "
        "development)");
  }
  if (!config.allow_loose_files) {
    absl::Status private_files = CheckPrivateFiles(config);
    if (!private_files.ok()) {
      return private_files;
    }
  }
  return config;
}

}  // namespace vouchstream::gateway

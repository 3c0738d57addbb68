#include "service/rpc/server_credentials.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "grpcpp/security/server_credentials.h"
#include <arpa/inet.h>

namespace vouchstream::rpc {

absl::StatusOr<ServerSecurity> LoadServerSecurity(
    const ServerTlsOptions& options) {
  if (options.cert.empty() != options.key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: give both or neither");
  }
  if (options.cert.empty()) {
    if (!options.client_ca.empty()) {
      return absl::InvalidArgumentError(
          "--client-ca needs --tls-cert and --tls-key (mTLS is TLS with a "
          "client certificate)");
    }
    return ServerSecurity{grpc::InsecureServerCredentials(), "off", nullptr};
  }
  ReloadableServerTls::Options reloadable;
  reloadable.files = options;
  absl::StatusOr<std::unique_ptr<ReloadableServerTls>> tls =
      ReloadableServerTls::Create(reloadable);
  if (!tls.ok()) {
    return tls.status();
  }
  std::shared_ptr<ReloadableServerTls> shared = *std::move(tls);
  return ServerSecurity{shared->credentials(), shared->mutual() ? "mtls" : "on",
                        shared};
}

bool IsLoopbackListenAddress(absl::string_view listen) {
  absl::string_view host = listen;
  const size_t colon = host.rfind(':');
  if (colon != absl::string_view::npos &&
      host.find(':') == colon) {  // HOST:PORT, not a bare IPv6 address
    host = host.substr(0, colon);
  } else if (absl::StartsWith(host, "[")) {  // [V6]:PORT
    const size_t close = host.find(']');
    host = host.substr(1, close == absl::string_view::npos
                              ? absl::string_view::npos
                              : close - 1);
  }
  const std::string name = absl::AsciiStrToLower(host);
  if (name == "localhost") {
    return true;
  }
  in_addr v4{};
  if (inet_pton(AF_INET, name.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, name.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) != 0;
  }
  return false;
}

}  // namespace vouchstream::rpc

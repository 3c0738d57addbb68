#include "service/rpc/server_credentials.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/server_credentials.h"
#include <arpa/inet.h>

namespace vouchstream::rpc {
namespace {

// The contents of `path` (given as `flag`), which must hold a PEM block
// whose label ends with `label` ("CERTIFICATE", "PRIVATE KEY").
absl::StatusOr<std::string> ReadPemFile(absl::string_view flag,
                                        const std::string& path,
                                        absl::string_view label) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(flag, ": cannot read \"", path, "\""));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  std::string pem = contents.str();
  // "-----BEGIN CERTIFICATE-----", "-----BEGIN EC PRIVATE KEY-----", ...
  if (!absl::StrContains(pem, "-----BEGIN ") ||
      !absl::StrContains(pem, absl::StrCat(label, "-----"))) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": \"", path, "\" holds no PEM ", label, " block"));
  }
  return pem;
}

}  // namespace

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
    return ServerSecurity{grpc::InsecureServerCredentials(), "off"};
  }
  absl::StatusOr<std::string> cert =
      ReadPemFile("--tls-cert", options.cert, "CERTIFICATE");
  if (!cert.ok()) {
    return cert.status();
  }
  absl::StatusOr<std::string> key =
      ReadPemFile("--tls-key", options.key, "PRIVATE KEY");
  if (!key.ok()) {
    return key.status();
  }
  grpc::SslServerCredentialsOptions ssl(
      options.client_ca.empty()
          ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
          : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  if (options.client_ca.empty()) {
    return ServerSecurity{grpc::SslServerCredentials(ssl), "on"};
  }
  absl::StatusOr<std::string> client_ca =
      ReadPemFile("--client-ca", options.client_ca, "CERTIFICATE");
  if (!client_ca.ok()) {
    return client_ca.status();
  }
  ssl.pem_root_certs = *std::move(client_ca);
  return ServerSecurity{grpc::SslServerCredentials(ssl), "mtls"};
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

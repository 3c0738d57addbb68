#pragma once
// The gRPC server's transport security from its flags: plaintext, TLS
// (--tls-cert, --tls-key) or mutual TLS (plus --client-ca: a client without
// a certificate signed by that CA is refused at the handshake).
//
//   ServerTlsOptions tls{cert_flag, key_flag, client_ca_flag};
//   absl::StatusOr<ServerSecurity> security = LoadServerSecurity(tls);
//   if (!security.ok()) { /* names the flag and the file */ }
//   builder.AddListeningPort(listen, security->credentials, &port);
//   if (security->mode == "off" && !IsLoopbackListenAddress(listen)) warn;
//
// Thread-compatible; reads the files once, at the call.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/server_credentials.h"

namespace vouchstream::rpc {

// File paths, empty when not given. `cert` and `key` go together;
// `client_ca` needs both.
struct ServerTlsOptions {
  std::string cert;       // --tls-cert: PEM certificate chain, leaf first
  std::string key;        // --tls-key: PEM private key of the leaf
  std::string client_ca;  // --client-ca: PEM CA(s) client certs must chain to
};

struct ServerSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // "off" (plaintext), "on" (TLS) or "mtls" (TLS + required client cert).
  std::string mode;
};

// Reads and checks the PEM files. Errors: kInvalidArgument when the flags do
// not go together or a file holds no PEM block of the right kind,
// kNotFound when a file cannot be read; the message names the flag and file.
absl::StatusOr<ServerSecurity> LoadServerSecurity(
    const ServerTlsOptions& options);

// Whether the host of `listen` ("HOST:PORT", "[V6]:PORT") is loopback:
// 127.0.0.0/8, ::1 or localhost. Wildcards (0.0.0.0, [::]) are not.
bool IsLoopbackListenAddress(absl::string_view listen);

}  // namespace vouchstream::rpc

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
// TLS material is reloadable: `security->tls->Reload()` (SIGHUP) re-reads the
// files for new handshakes, see reloadable_server_tls.h.
//
// Thread-compatible.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/server_credentials.h"

#include "service/rpc/reloadable_server_tls.h"

namespace vouchstream::rpc {

struct ServerSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // "off" (plaintext), "on" (TLS) or "mtls" (TLS + required client cert).
  std::string mode;
  // The material behind `credentials`, for reloads; null when "off".
  std::shared_ptr<ReloadableServerTls> tls;
};

// Reads and checks the PEM files. Errors: kInvalidArgument when the flags do
// not go together, a file holds no PEM block of the right kind or does not
// parse, or the key does not match the certificate; kNotFound when a file
// cannot be read; the message names the flag and file.
absl::StatusOr<ServerSecurity> LoadServerSecurity(
    const ServerTlsOptions& options);

// Whether the host of `listen` ("HOST:PORT", "[V6]:PORT") is loopback:
// 127.0.0.0/8, ::1 or localhost. Wildcards (0.0.0.0, [::]) are not.
bool IsLoopbackListenAddress(absl::string_view listen);

}  // namespace vouchstream::rpc

#pragma once
// The TLS context of the gateway's HTTPS listener (`--tls-cert`,
// `--tls-key`): TLS 1.2 or newer, the certificate chain and private key
// from PEM files. TLS 1.2 is limited to `kTls12CipherList` (ECDHE with
// AES-GCM or ChaCha20-Poly1305; no CBC, no static RSA key exchange).
//
//   auto tls = MakeTlsServerContext("/etc/vs/cert.pem", "/etc/vs/key.pem");
//   if (!tls.ok()) { ... }  // kInvalidArgument naming the file
//
// Thread-safe once made: connections on any thread share it read-only.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include <boost/asio/ssl/context.hpp>

namespace vouchstream::gateway {

// The TLS 1.2 suites offered, in OpenSSL's cipher-list syntax, in order of
// preference. Certificates may be ECDSA or RSA.
inline constexpr std::string_view kTls12CipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Errors: kInvalidArgument when a file cannot be read or parsed, or the key
// does not match the certificate. Messages name the file, never its bytes.
absl::StatusOr<std::unique_ptr<boost::asio::ssl::context>> MakeTlsServerContext(
    const std::string& cert_file, const std::string& key_file);

}  // namespace vouchstream::gateway

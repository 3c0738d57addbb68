#pragma once
// The TLS context of the gateway's HTTPS listener (`--tls-cert`,
// `--tls-key`): TLS 1.2 or newer, the certificate chain and private key
// from PEM files.
//
//   auto tls = MakeTlsServerContext("/etc/vs/cert.pem", "/etc/vs/key.pem");
//   if (!tls.ok()) { ... }  // kInvalidArgument naming the file
//
// Thread-safe once made: sessions on any thread share it read-only.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include <boost/asio/ssl/context.hpp>

namespace vouchstream::gateway {

// Errors: kInvalidArgument when a file cannot be read or parsed, or the key
// does not match the certificate. Messages name the file, never its bytes.
absl::StatusOr<std::unique_ptr<boost::asio::ssl::context>> MakeTlsServerContext(
    const std::string& cert_file, const std::string& key_file);

}  // namespace vouchstream::gateway

#pragma once
// One kept-open HTTPS connection to the gateway on 127.0.0.1, made with
// OpenSSL directly, so that a test can send several requests over the same
// TLS session (before and after a reload) and look at the certificate the
// server presented.
//
//   auto connection = TlsConnection::Connect(port, pki.ca_cert);
//   ASSERT_THAT(connection, IsOk());
//   absl::StatusOr<int> code = (*connection)->Get("/healthz");  // 200
//   EXPECT_TRUE((*connection)->PeerIs(pki.server_cert));
//
// Thread-compatible.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include <openssl/ssl.h>

namespace vouchstream::testing {

class TlsConnection {
 public:
  // Connects and completes the handshake, verifying the server against
  // `ca_file` (and the address 127.0.0.1). kUnavailable when the
  // connection or the handshake fails (e.g. a certificate the CA did not
  // sign); reads and writes time out after 10 s.
  static absl::StatusOr<std::unique_ptr<TlsConnection>> Connect(
      int port, const std::string& ca_file);

  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // Sends `GET target` (keep-alive) and returns the response's status code;
  // the body is read and dropped. kUnavailable when the exchange fails.
  absl::StatusOr<int> Get(const std::string& target);

  // Whether the certificate the server presented in this connection's
  // handshake is the first certificate of `cert_file`.
  bool PeerIs(const std::string& cert_file) const;

 private:
  TlsConnection(SSL_CTX* context, SSL* ssl, int fd)
      : context_(context), ssl_(ssl), fd_(fd) {}

  SSL_CTX* context_;
  SSL* ssl_;
  int fd_;
};

}  // namespace vouchstream::testing

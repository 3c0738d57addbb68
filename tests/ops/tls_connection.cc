#include "tests/ops/tls_connection.h"

#include <unistd.h>

#include <array>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace vouchstream::testing {
namespace {

absl::Status Unavailable(absl::string_view step) {
  std::array<char, 256> error{};
  ERR_error_string_n(ERR_get_error(), error.data(), error.size());
  return absl::UnavailableError(absl::StrCat(step, ": ", error.data()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsConnection>> TlsConnection::Connect(
    int port, const std::string& ca_file) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr ||
      SSL_CTX_load_verify_locations(context, ca_file.c_str(), nullptr) != 1) {
    SSL_CTX_free(context);
    return Unavailable("ca file");
  }
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SSL* ssl = SSL_new(context);
  std::unique_ptr<TlsConnection> connection(
      new TlsConnection(context, ssl, fd));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) != 0) {
    return absl::UnavailableError("connect failed");
  }
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) != 1) {
    return Unavailable("handshake");
  }
  return connection;
}

TlsConnection::~TlsConnection() {
  SSL_free(ssl_);
  SSL_CTX_free(context_);
  close(fd_);
}

absl::StatusOr<int> TlsConnection::Get(const std::string& target) {
  const std::string request =
      absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  if (SSL_write(ssl_, request.data(), static_cast<int>(request.size())) <= 0) {
    return Unavailable("write");
  }
  // Headers, then Content-Length bytes of body.
  std::string received;
  size_t header_end = std::string::npos;
  size_t body_length = 0;
  while (header_end == std::string::npos ||
         received.size() < header_end + 4 + body_length) {
    std::array<char, 4096> buffer{};
    const int n = SSL_read(ssl_, buffer.data(), buffer.size());
    if (n <= 0) {
      return Unavailable(
          absl::StrCat("read after ", received.size(), " bytes"));
    }
    received.append(buffer.data(), static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = received.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const std::string headers = absl::AsciiStrToLower(
            absl::string_view(received).substr(0, header_end));
        const size_t length = headers.find("content-length:");
        if (length != std::string::npos) {
          const size_t end = headers.find("\r\n", length);
          const absl::string_view value =
              absl::StripAsciiWhitespace(absl::string_view(headers).substr(
                  length + 15, end - length - 15));
          if (!absl::SimpleAtoi(value, &body_length)) {
            return absl::UnavailableError("bad content-length");
          }
        }
      }
    }
  }
  int status = 0;
  // "HTTP/1.1 200 OK"
  if (received.size() < 12 ||
      !absl::SimpleAtoi(absl::string_view(received).substr(9, 3), &status)) {
    return absl::UnavailableError("bad status line");
  }
  return status;
}

bool TlsConnection::PeerIs(const std::string& cert_file) const {
  X509* peer = SSL_get_peer_certificate(ssl_);
  FILE* file = std::fopen(cert_file.c_str(), "r");
  X509* expected = file != nullptr
                       ? PEM_read_X509(file, nullptr, nullptr, nullptr)
                       : nullptr;
  if (file != nullptr) {
    std::fclose(file);
  }
  const bool same =
      peer != nullptr && expected != nullptr && X509_cmp(peer, expected) == 0;
  X509_free(peer);
  X509_free(expected);
  return same;
}

}  // namespace vouchstream::testing

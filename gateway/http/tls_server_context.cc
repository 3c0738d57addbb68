#include "gateway/http/tls_server_context.h"

#include "absl/strings/str_cat.h"
#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>

namespace vouchstream::gateway {

namespace ssl = boost::asio::ssl;

absl::StatusOr<std::unique_ptr<ssl::context>> MakeTlsServerContext(
    const std::string& cert_file, const std::string& key_file) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds |
                           ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                           ssl::context::single_dh_use,
                       ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("tls: cannot set options: ", ec.message()));
  }
  // TLS 1.2: forward-secret key exchange (ECDHE) with an AEAD cipher only;
  // OpenSSL's default list also offers CBC suites (e.g.
  // ECDHE-ECDSA-AES128-SHA), exposed to padding-oracle and Lucky13-style
  // attacks. TLS 1.3 suites are all AEAD and keep OpenSSL's defaults.
  if (SSL_CTX_set_cipher_list(context->native_handle(),
                              kTls12CipherList.data()) != 1) {
    return absl::InternalError("tls: cannot set the TLS 1.2 cipher list");
  }
  // The server's preference decides among what the client offers.
  SSL_CTX_set_options(context->native_handle(),
                      SSL_OP_CIPHER_SERVER_PREFERENCE);
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-cert=", cert_file, ": ", ec.message()));
  }
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key=", key_file, ": ", ec.message()));
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-key=", key_file, ": does not match --tls-cert=", cert_file));
  }
  return context;
}

}  // namespace vouchstream::gateway

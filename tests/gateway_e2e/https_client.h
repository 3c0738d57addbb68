#pragma once
// The HTTPS variant of http_client.h for the gateway's TLS listener tests:
// one request on a fresh TLS connection to 127.0.0.1, verifying the
// server's certificate against a CA file and the name "127.0.0.1".
//
//   auto response = HttpsRequest(port, pki->ca_cert, "POST",
//                                "/webhooks/voucherify", body, headers);
//
// Thread-safe: each call has its own connection.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "tests/testing/http_client.h"

namespace vouchstream::testing {

// kUnavailable when the connection, the handshake (including certificate
// verification) or the exchange fails or takes longer than `timeout`.
absl::StatusOr<HttpResponse> HttpsRequest(
    int port, const std::string& ca_file, const std::string& method,
    const std::string& target, const std::string& body,
    const Headers& headers = {}, absl::Duration timeout = absl::Seconds(10));

}  // namespace vouchstream::testing

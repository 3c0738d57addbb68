#pragma once
// A small synchronous HTTP/1.1 client for the gateway's end-to-end tests
// and `vouchstream-cli send` style checks: one keep-alive connection.
//
//   HttpConnection connection;
//   ASSERT_THAT(connection.Connect("127.0.0.1", port), IsOk());
//   auto response = connection.Post("/webhooks/voucherify", body,
//                                   {{"x-voucherify-signature", sig}});
//
// Thread-compatible.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace vouchstream::testing {

struct HttpResponse {
  int status = 0;
  // Lower-case header names.
  std::map<std::string, std::string> headers;
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpConnection {
 public:
  HttpConnection();
  ~HttpConnection();

  absl::Status Connect(const std::string& host, int port);

  // Sends a request (Content-Type application/json unless given) and reads
  // its response. Keep-alive.
  absl::StatusOr<HttpResponse> Request(const std::string& method,
                                       const std::string& target,
                                       const std::string& body,
                                       const Headers& headers = {});
  absl::StatusOr<HttpResponse> Post(const std::string& target,
                                    const std::string& body,
                                    const Headers& headers = {}) {
    return Request("POST", target, body, headers);
  }

  // Writes raw bytes and reads one response (for chunked or odd requests).
  absl::StatusOr<HttpResponse> Raw(const std::string& bytes);

  // Splits the send of a request from the read of its response, so that
  // many connections can have a request in flight at once.
  absl::Status Send(const std::string& method, const std::string& target,
                    const std::string& body, const Headers& headers = {});
  absl::StatusOr<HttpResponse> Receive();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
absl::StatusOr<HttpResponse> HttpPost(int port, const std::string& target,
                                      const std::string& body,
                                      const Headers& headers = {});
absl::StatusOr<HttpResponse> HttpGet(int port, const std::string& target);

}  // namespace vouchstream::testing

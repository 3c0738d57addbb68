#include "tests/testing/http_client.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vouchstream::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpConnection::Impl {
  net::io_context io_context;
  tcp::socket socket{io_context};
  beast::flat_buffer buffer;
  std::string host;
};

HttpConnection::HttpConnection() : impl_(std::make_unique<Impl>()) {}
HttpConnection::~HttpConnection() {
  beast::error_code ignored;
  impl_->socket.close(ignored);
}

absl::Status HttpConnection::Connect(const std::string& host, int port) {
  beast::error_code ec;
  impl_->socket.connect(
      tcp::endpoint(net::ip::make_address(host), static_cast<uint16_t>(port)),
      ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
  }
  impl_->host = absl::StrCat(host, ":", port);
  return absl::OkStatus();
}

absl::Status HttpConnection::Send(const std::string& method,
                                  const std::string& target,
                                  const std::string& body,
                                  const Headers& headers) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, impl_->host);
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    request.set(name, value);
    has_type |= absl::AsciiStrToLower(name) == "content-type";
  }
  if (!has_type && !body.empty()) {
    request.set(http::field::content_type, "application/json");
  }
  request.body() = body;
  request.prepare_payload();
  beast::error_code ec;
  http::write(impl_->socket, request, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("write: ", ec.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<HttpResponse> HttpConnection::Receive() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  beast::error_code ec;
  http::read(impl_->socket, impl_->buffer, parser, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("read: ", ec.message()));
  }
  const auto& message = parser.get();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    const auto name = field.name_string();
    const auto value = field.value();
    response
        .headers[absl::AsciiStrToLower(
            absl::string_view(name.data(), name.size()))]
        .assign(value.data(), value.size());
  }
  response.body = message.body();
  return response;
}

absl::StatusOr<HttpResponse> HttpConnection::Request(const std::string& method,
                                                     const std::string& target,
                                                     const std::string& body,
                                                     const Headers& headers) {
  absl::Status sent = Send(method, target, body, headers);
  if (!sent.ok()) {
    return sent;
  }
  return Receive();
}

absl::StatusOr<HttpResponse> HttpConnection::Raw(const std::string& bytes) {
  beast::error_code ec;
  net::write(impl_->socket, net::buffer(bytes), ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("write: ", ec.message()));
  }
  return Receive();
}

absl::StatusOr<HttpResponse> HttpPost(int port, const std::string& target,
                                      const std::string& body,
                                      const Headers& headers) {
  HttpConnection connection;
  absl::Status connected = connection.Connect("127.0.0.1", port);
  if (!connected.ok()) {
    return connected;
  }
  return connection.Post(target, body, headers);
}

absl::StatusOr<HttpResponse> HttpGet(int port, const std::string& target) {
  HttpConnection connection;
  absl::Status connected = connection.Connect("127.0.0.1", port);
  if (!connected.ok()) {
    return connected;
  }
  return connection.Request("GET", target, "");
}

}  // namespace vouchstream::testing

#include "tests/gateway_e2e/https_client.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace vouchstream::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

absl::StatusOr<HttpResponse> HttpsRequest(int port, const std::string& ca_file,
                                          const std::string& method,
                                          const std::string& target,
                                          const std::string& body,
                                          const Headers& headers,
                                          absl::Duration timeout) {
  ssl::context tls(ssl::context::tls_client);
  beast::error_code ec;
  tls.load_verify_file(ca_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("ca file ", ca_file, ": ", ec.message()));
  }
  tls.set_verify_mode(ssl::verify_peer);
  net::io_context io_context;
  beast::ssl_stream<beast::tcp_stream> stream(io_context, tls);
  stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  beast::get_lowest_layer(stream).expires_after(
      absl::ToChronoMilliseconds(timeout));
  // Synchronous calls ignore tcp_stream's timeout, so the exchange runs
  // asynchronously on a private io_context, each step chained to the next.
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, absl::StrCat("127.0.0.1:", port));
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
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  std::string failed;
  auto fail = [&failed](const char* step, beast::error_code error) {
    failed = absl::StrCat(step, ": ", error.message());
  };
  beast::get_lowest_layer(stream).async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"),
                    static_cast<uint16_t>(port)),
      [&](beast::error_code error) {
        if (error) {
          return fail("connect", error);
        }
        stream.async_handshake(
            ssl::stream_base::client, [&](beast::error_code error) {
              if (error) {
                return fail("handshake", error);
              }
              http::async_write(
                  stream, request, [&](beast::error_code error, size_t) {
                    if (error) {
                      return fail("write", error);
                    }
                    http::async_read(stream, buffer, response,
                                     [&](beast::error_code error, size_t) {
                                       if (error) {
                                         fail("read", error);
                                       }
                                     });
                  });
            });
      });
  io_context.run();
  if (!failed.empty()) {
    return absl::UnavailableError(absl::StrCat("https ", failed));
  }
  HttpResponse out;
  out.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    out.headers[absl::AsciiStrToLower(std::string(field.name_string()))] =
        std::string(field.value());
  }
  out.body = response.body();
  return out;
}

}  // namespace vouchstream::testing

// `vouchstream-cli send FILE --secret-file F [--url U] [--type T]`: what a
// tester uses to fake Voucherify. Signs FILE's bytes as Voucherify does
// (x-voucherify-signature = hex HMAC-SHA256 with the webhook secret), POSTs
// them to the gateway, and prints the HTTP status line and the body. Exits
// 0 on 2xx, 1 otherwise, 2 on a usage error.
//
// The secret: `--secret-file F` reads the first secret of F (the gateway's
// --secret-file format: one per line, `#` comments and blank lines
// skipped); F must not be readable by group or others unless
// `--allow-loose-files` is given. `--secret S` still works, but S then shows
// in `ps` and in the shell's history.
//
// U defaults to http://127.0.0.1:8080/webhooks/voucherify (the envelope
// route); --type T posts a bare body to U/T instead. Plain HTTP only.

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "transcode/signature.h"
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/flags.h"
#include "common/private_file.h"

namespace vouchstream::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr const char* kSeeHelp = "(see vouchstream-cli send --help)\n";

// The first secret in `path`, as the gateway reads its --secret-file;
// refused when group or others may read `path`, unless `allow_loose_files`.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path,
                                           bool allow_loose_files) {
  if (!allow_loose_files) {
    absl::Status private_file = common::CheckPrivateFile("--secret-file", path);
    if (!private_file.ok()) {
      return private_file;
    }
  }
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("--secret-file ", path, ": cannot be read"));
  }
  std::string line;
  while (std::getline(in, line)) {
    const absl::string_view secret = absl::StripAsciiWhitespace(line);
    if (!secret.empty() && secret[0] != '#') {
      return std::string{secret};
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--secret-file ", path, ": holds no secret"));
}

struct Url {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};

// Parses "http://HOST[:PORT][/PATH]"; false for anything else.
bool ParseUrl(const std::string& url, Url* out) {
  constexpr absl::string_view kScheme = "http://";
  if (!absl::StartsWith(url, kScheme)) {
    return false;
  }
  const std::string rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    out->target = rest.substr(slash);
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos) {
    out->host = authority.substr(0, colon);
    out->port = authority.substr(colon + 1);
    int port = 0;
    if (!absl::SimpleAtoi(out->port, &port) || port <= 0 || port > 65535) {
      return false;
    }
  } else {
    out->host = authority;
  }
  return !out->host.empty();
}

struct SendArgs {
  std::string path;
  std::string secret;
  std::string url;
  std::string type;
};

// `args` and the flags as SendArgs, reading --secret-file; false (after
// printing why) on a usage error.
bool ParseSendArgs(const std::vector<std::string>& args, SendArgs* out) {
  const std::string secret_file = absl::GetFlag(FLAGS_secret_file);
  out->secret = absl::GetFlag(FLAGS_secret);
  out->url = absl::GetFlag(FLAGS_url);
  const absl::StatusOr<std::string> type = SingleTypeFlag("send");
  if (!type.ok()) {
    std::fprintf(stderr, "%s\n", std::string{type.status().message()}.c_str());
    return false;
  }
  out->type = *type;
  if (args.size() != 1) {
    std::fprintf(stderr, "send: takes one FILE, not %zu arguments\n%s",
                 args.size(), kSeeHelp);
    return false;
  }
  out->path = args.front();
  if (!secret_file.empty() && !out->secret.empty()) {
    std::fprintf(stderr, "send: give --secret-file or --secret, not both\n%s",
                 kSeeHelp);
    return false;
  }
  if (!secret_file.empty()) {
    absl::StatusOr<std::string> read =
        ReadSecretFile(secret_file, absl::GetFlag(FLAGS_allow_loose_files));
    if (!read.ok()) {
      std::fprintf(stderr, "send: %s\n",
                   std::string{read.status().message()}.c_str());
      return false;
    }
    out->secret = *std::move(read);
  }
  if (out->secret.empty()) {
    std::fprintf(stderr, "send: --secret-file (or --secret) is required\n%s",
                 kSeeHelp);
    return false;
  }
  return true;
}

}  // namespace

int SendCommand(const std::vector<std::string>& args) {
  SendArgs parsed_args;
  if (!ParseSendArgs(args, &parsed_args)) {
    return 2;
  }
  const std::string& path = parsed_args.path;
  const std::string& secret = parsed_args.secret;
  const std::string& url = parsed_args.url;
  const std::string& type = parsed_args.type;
  Url parsed;
  if (!ParseUrl(url, &parsed)) {
    std::fprintf(stderr, "send: --url \"%s\" is not http://HOST[:PORT]/PATH\n",
                 url.c_str());
    return 2;
  }
  if (!type.empty()) {
    if (parsed.target.empty() || parsed.target.back() != '/') {
      parsed.target += '/';
    }
    parsed.target += type;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "send: cannot read \"%s\"\n", path.c_str());
    return 1;
  }
  const std::string body((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());

  http::request<http::string_body> request(http::verb::post, parsed.target, 11);
  request.set(http::field::host, parsed.host + ":" + parsed.port);
  request.set(http::field::user_agent, "vouchstream-cli send");
  request.set(http::field::content_type, "application/json");
  request.set("x-voucherify-signature", transcode::SignHex(secret, body));
  request.body() = body;
  request.prepare_payload();

  net::io_context io_context;
  tcp::resolver resolver(io_context);
  beast::tcp_stream stream(io_context);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(parsed.host, parsed.port, ec);
  if (!ec) {
    stream.connect(endpoints, ec);
  }
  if (!ec) {
    http::write(stream, request, ec);
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) {
    http::read(stream, buffer, response, ec);
  }
  if (ec) {
    std::fprintf(stderr, "send: %s: %s\n", url.c_str(), ec.message().c_str());
    return 1;
  }
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  std::printf("HTTP %u %s\n", response.result_int(),
              std::string{response.reason()}.c_str());
  for (const char* header : {"x-request-id", "x-vouchstream-duplicate"}) {
    const auto value = response[header];
    if (!value.empty()) {
      std::printf("%s: %s\n", header, std::string{value}.c_str());
    }
  }
  std::printf("%s\n", response.body().c_str());
  return response.result_int() >= 200 && response.result_int() < 300 ? 0 : 1;
}

}  // namespace vouchstream::cli

#include "tests/testing/gateway_process.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vouchstream::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

// One `GET /readyz` on a fresh connection; the HTTP status, or why none.
absl::StatusOr<int> GetReadyz(int port, absl::Duration timeout) {
  net::io_context io_context;
  beast::tcp_stream stream(io_context);
  stream.expires_after(absl::ToChronoMilliseconds(timeout));
  beast::error_code ec;
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                        static_cast<uint16_t>(port)),
                 ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
  }
  http::request<http::empty_body> request(http::verb::get, "/readyz", 11);
  request.set(http::field::host, absl::StrCat("127.0.0.1:", port));
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) {
    http::read(stream, buffer, response, ec);
  }
  if (ec) {
    return absl::UnavailableError(absl::StrCat("GET /readyz: ", ec.message()));
  }
  return response.result_int();
}

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayProcess>> GatewayProcess::Start(
    const Options& options) {
  const std::string secrets = options.secret_dir + "/gateway-secrets";
  std::ofstream(secrets) << options.secret << "\n";
  // Private, or the gateway refuses it (--allow-loose-files).
  std::filesystem::permissions(
      secrets,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::vector<std::string> args = {
      VS_GATEWAY_PATH, "--listen=127.0.0.1:0",
      absl::StrCat("--upstream=", options.upstream),
      absl::StrCat("--secret-file=", secrets)};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  const absl::Time deadline = absl::Now() + options.start_timeout;
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start(args, options.start_timeout);
  if (!process.ok()) {
    return process.status();
  }
  std::unique_ptr<GatewayProcess> gateway(
      new GatewayProcess(*std::move(process)));
  if (!options.wait_ready) {
    return gateway;
  }
  absl::Status ready = gateway->WaitReady(deadline - absl::Now());
  if (!ready.ok()) {
    return ready;
  }
  return gateway;
}

absl::Status GatewayProcess::WaitReady(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last = "no answer";
  while (absl::Now() < deadline) {
    absl::StatusOr<int> status = GetReadyz(port(), absl::Seconds(2));
    if (status.ok() && *status == 200) {
      return absl::OkStatus();
    }
    last = status.ok() ? absl::StrCat("HTTP ", *status)
                       : status.status().ToString();
    // /readyz asks the service each time; a short pause keeps this from
    // spinning while the service starts.
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("gateway not ready in time: ", last));
}

absl::Status GatewayProcess::Stop(absl::Duration timeout) {
  absl::Status stopped = process_->Stop(SIGTERM, timeout);
  if (!stopped.ok()) {
    return stopped;
  }
  if (!process_->exited_cleanly()) {
    return absl::InternalError("gateway did not exit with status 0");
  }
  return absl::OkStatus();
}

}  // namespace vouchstream::testing

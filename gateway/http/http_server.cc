#include "gateway/http/http_server.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/error_code.hpp>

#include "gateway/http/tls_server_context.h"

namespace vouchstream::gateway {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

absl::StatusOr<tcp::endpoint> ParseEndpoint(net::io_context& io_context,
                                            const std::string& listen) {
  const size_t colon = listen.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: \"", listen, "\" is not HOST:PORT"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(host, ec);
  if (!ec) {
    return tcp::endpoint(address, static_cast<uint16_t>(port));
  }
  tcp::resolver resolver(io_context);
  const auto results = resolver.resolve(host, "", ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: cannot resolve \"", host, "\""));
  }
  return tcp::endpoint(results.begin()->endpoint().address(),
                       static_cast<uint16_t>(port));
}

absl::Status ValidateHardening(const GatewayOptions& options) {
  if (options.rate_limit < 0 || options.rate_burst < 1 ||
      options.rate_limit_sources < 1) {
    return absl::InvalidArgumentError(
        "--rate-limit must be >= 0, --rate-burst and --rate-limit-sources "
        ">= 1");
  }
  if (options.max_connections < 0) {
    return absl::InvalidArgumentError("--max-connections must be >= 0");
  }
  if (options.header_timeout <= absl::ZeroDuration() ||
      options.body_timeout <= absl::ZeroDuration() ||
      options.read_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--header-timeout, --body-timeout and --read-timeout must be > 0");
  }
  return absl::OkStatus();
}

}  // namespace

HttpServer::HttpServer(int threads, const GatewayContext& context)
    : thread_count_(threads > 0 ? threads : 1),
      context_(context),
      io_context_(thread_count_),
      acceptor_(net::make_strand(io_context_)) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(
    const std::string& listen, int threads, const GatewayContext& context) {
  std::unique_ptr<HttpServer> server(new HttpServer(threads, context));
  const GatewayOptions& options = *context.options;
  absl::Status valid = ValidateHardening(options);
  if (!valid.ok()) {
    return valid;
  }
  absl::StatusOr<SourceAllowList> allow_list =
      SourceAllowList::Parse(options.allow_from);
  if (!allow_list.ok()) {
    return allow_list.status();
  }
  server->context_.allow_list = nullptr;
  if (!allow_list->empty()) {
    server->allow_list_ =
        std::make_unique<SourceAllowList>(*std::move(allow_list));
    server->context_.allow_list = server->allow_list_.get();
  }
  server->context_.rate_limiter = nullptr;
  if (options.rate_limit > 0) {
    RateLimiter::Options limits;
    limits.rate = options.rate_limit;
    limits.burst = options.rate_burst;
    limits.max_sources = options.rate_limit_sources;
    server->rate_limiter_ = std::make_unique<RateLimiter>(std::move(limits));
    server->context_.rate_limiter = server->rate_limiter_.get();
  }
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty()) {
      return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
    }
    absl::StatusOr<std::unique_ptr<net::ssl::context>> tls =
        MakeTlsServerContext(options.tls_cert, options.tls_key);
    if (!tls.ok()) {
      return tls.status();
    }
    absl::MutexLock lock(&server->tls_mu_);
    server->tls_ = *std::move(tls);
  }
  absl::StatusOr<tcp::endpoint> endpoint =
      ParseEndpoint(server->io_context_, listen);
  if (!endpoint.ok()) {
    return endpoint.status();
  }
  boost::system::error_code ec;
  tcp::acceptor& acceptor = server->acceptor_;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) {
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(*endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("--listen=", listen, ": ", ec.message()));
  }
  const tcp::endpoint bound = acceptor.local_endpoint();
  server->address_ =
      bound.address().is_v6()
          ? absl::StrCat("[", bound.address().to_string(), "]:", bound.port())
          : absl::StrCat(bound.address().to_string(), ":", bound.port());
  return server;
}

HttpServer::~HttpServer() { Shutdown(); }

void HttpServer::Start() {
  net::dispatch(acceptor_.get_executor(), [this] { DoAccept(); });
  threads_.reserve(static_cast<size_t>(thread_count_));
  for (int i = 0; i < thread_count_; ++i) {
    threads_.emplace_back([this] { io_context_.run(); });
  }
}

void HttpServer::DoAccept() {
  acceptor_.async_accept(
      net::make_strand(io_context_),
      [this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
          return;
        }
        if (!ec) {
          socket.set_option(tcp::no_delay(true), ec);
          Admit(std::move(socket));
        }
        DoAccept();
      });
}

// Runs on the acceptor's strand only, so the check-then-increment of
// `open_` cannot race another accept; connections only decrement.
void HttpServer::Admit(tcp::socket socket) {
  ConnectionOptions connection;
  {
    absl::MutexLock lock(&tls_mu_);
    connection.tls = tls_;
  }
  const int max = context_.options->max_connections;
  if (max <= 0 || open_->load(std::memory_order_relaxed) < max) {
    open_->fetch_add(1, std::memory_order_relaxed);
    connection.slot = open_;
  } else if (refusing_->load(std::memory_order_relaxed) < kMaxRefusing) {
    refusing_->fetch_add(1, std::memory_order_relaxed);
    connection.slot = refusing_;
    connection.refuse = true;
  } else {
    context_.metrics->RecordRefusal(Refusal::kTooManyConnections);
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  StartHttpConnection(std::move(socket), context_, std::move(connection));
}

bool HttpServer::tls() const {
  absl::MutexLock lock(&tls_mu_);
  return tls_ != nullptr;
}

absl::Status HttpServer::ReloadTls() {
  if (!tls()) {
    return absl::FailedPreconditionError(
        "the listener speaks plain HTTP (no --tls-cert)");
  }
  const GatewayOptions& options = *context_.options;
  absl::StatusOr<std::unique_ptr<net::ssl::context>> fresh =
      MakeTlsServerContext(options.tls_cert, options.tls_key);
  if (!fresh.ok()) {
    return fresh.status();
  }
  absl::MutexLock lock(&tls_mu_);
  tls_ = *std::move(fresh);
  return absl::OkStatus();
}

void HttpServer::Shutdown() {
  if (threads_.empty()) {
    return;
  }
  net::dispatch(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  io_context_.stop();
  for (std::thread& thread : threads_) {
    thread.join();
  }
  threads_.clear();
}

}  // namespace vouchstream::gateway

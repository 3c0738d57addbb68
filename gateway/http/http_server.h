#pragma once
// The gateway's HTTP/1.1 server: one acceptor and a small fixed pool of I/O
// threads running one io_context; each connection is handled on its own
// strand (gateway/http/http_connection.h). From `context.options` it also
// sets up what the connections share: HTTPS (`tls_cert`/`tls_key`), the source
// allow-list, the per-source rate limiter and the connection limit.
//
// Connection limit (`max_connections` > 0): a connection beyond it is still
// accepted, answered 503 TOO_MANY_CONNECTIONS with `Retry-After` and closed,
// without reading its request; open connections are not disturbed. While
// more than kMaxRefusing such answers are under way, further connections
// are closed at accept instead (both count as too_many_connections).
//
//   auto server = HttpServer::Create("127.0.0.1:0", 2, context);
//   if (!server.ok()) { ... }
//   std::printf("listening on %s\n", (*server)->address().c_str());
//   (*server)->Start();
//   ...
//   (*server)->Shutdown();  // Stops accepting, stops the loop, joins.
//
// HTTPS certificates are reloadable: `ReloadTls()` reads `tls_cert` and
// `tls_key` again; connections accepted afterwards use them, open ones keep
// the context they were accepted with.
//
// Thread-safety: Start and Shutdown are for the owning thread; ReloadTls
// may be called from any thread. The server owns its threads and joins them
// in Shutdown (and the destructor).

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "gateway/http/http_connection.h"
#include "gateway/webhook/rate_limiter.h"
#include "gateway/webhook/source_allow_list.h"

namespace vouchstream::gateway {

class HttpServer {
 public:
  // Binds `listen` ("HOST:PORT"; port 0 picks a free one). Fails with
  // kInvalidArgument for a malformed address, `--allow-from` entry or TLS
  // file, and kUnavailable when the bind fails. `context.allow_list` and
  // `context.rate_limiter` are ignored: the server makes its own from
  // `context.options`.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Create(
      const std::string& listen, int threads, const GatewayContext& context);

  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address as "HOST:PORT", with the real port.
  const std::string& address() const { return address_; }

  void Start();
  void Shutdown();

  // Whether the listener speaks HTTPS.
  bool tls() const;
  // Makes a new TLS context from `tls_cert`/`tls_key` for connections
  // accepted from now on. Errors: kFailedPrecondition when the server
  // speaks plain HTTP; those of MakeTlsServerContext (the file, the key
  // not matching the certificate), and then the old context stays.
  absl::Status ReloadTls();

  // Refusal answers under way at most; beyond, connections are closed at
  // accept.
  static constexpr int kMaxRefusing = 64;

 private:
  HttpServer(int threads, const GatewayContext& context);
  void DoAccept();
  void Admit(boost::asio::ip::tcp::socket socket);

  const int thread_count_;
  GatewayContext context_;
  mutable absl::Mutex tls_mu_;
  std::shared_ptr<boost::asio::ssl::context> tls_ ABSL_GUARDED_BY(tls_mu_);
  std::unique_ptr<SourceAllowList> allow_list_;
  std::unique_ptr<RateLimiter> rate_limiter_;
  // Connections may outlive the server's members briefly (until the
  // io_context is destroyed), so they hold these by shared_ptr.
  std::shared_ptr<std::atomic<int>> open_ =
      std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> refusing_ =
      std::make_shared<std::atomic<int>>(0);
  boost::asio::io_context io_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string address_;
  std::vector<std::thread> threads_;
};

}  // namespace vouchstream::gateway

#pragma once
// The gateway's HTTP/1.1 server: one acceptor and a small fixed pool of I/O
// threads running one io_context; each connection becomes an HttpSession on
// its own strand.
//
//   auto server = HttpServer::Create("127.0.0.1:0", 2, context);
//   if (!server.ok()) { ... }
//   std::printf("listening on %s\n", (*server)->address().c_str());
//   (*server)->Start();
//   ...
//   (*server)->Shutdown();  // Stops accepting, stops the loop, joins.
//
// Thread-safety: Start and Shutdown are for the owning thread; the server
// owns its threads and joins them in Shutdown (and the destructor).

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/http_session.h"

namespace vouchstream::gateway {

class HttpServer {
 public:
  // Binds `listen` ("HOST:PORT"; port 0 picks a free one). Fails with
  // kInvalidArgument for a malformed address and kUnavailable when the
  // bind fails.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Create(
      const std::string& listen, int threads, const GatewayContext& context);

  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address as "HOST:PORT", with the real port.
  const std::string& address() const { return address_; }

  void Start();
  void Shutdown();

 private:
  HttpServer(int threads, const GatewayContext& context);
  void DoAccept();

  const int thread_count_;
  const GatewayContext context_;
  boost::asio::io_context io_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string address_;
  std::vector<std::thread> threads_;
};

}  // namespace vouchstream::gateway

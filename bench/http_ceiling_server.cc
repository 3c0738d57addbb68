// http_ceiling_server: the bare Beast "return 200" server that the gateway's
// end-to-end throughput is reported against (DESIGN.md performance budget).
// Same shape as the gateway's HTTP layer (async, keep-alive, one io_context,
// a strand per connection, N threads) minus everything else: it reads the
// whole request body and answers 200 with a small JSON body.
//
//   http_ceiling_server --listen=127.0.0.1:0 --threads=2
//   -> prints "listening on 127.0.0.1:PORT"; stops on SIGINT/SIGTERM.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}

  void Read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) {
                         beast::error_code ignored;
                         self->stream_.socket().shutdown(
                             tcp::socket::shutdown_send, ignored);
                         return;
                       }
                       self->Write();
                     });
  }

 private:
  void Write() {
    response_ = {};
    response_.version(11);
    response_.result(http::status::ok);
    response_.set(http::field::content_type, "application/json");
    response_.body() = "{\"seq\":1,\"duplicate\":false}";
    response_.keep_alive(request_.keep_alive());
    response_.prepare_payload();
    http::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (!ec && self->response_.keep_alive()) {
            self->Read();
          }
        });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void Accept(tcp::acceptor& acceptor, net::io_context& io_context) {
  acceptor.async_accept(
      net::make_strand(io_context),
      [&acceptor, &io_context](beast::error_code ec, tcp::socket socket) {
        if (!ec) {
          socket.set_option(tcp::no_delay(true), ec);
          std::make_shared<Session>(std::move(socket))->Read();
        }
        Accept(acceptor, io_context);
      });
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::string listen = "127.0.0.1:0";
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--listen=", 0) == 0) {
      listen = arg.substr(9);
    } else if (arg.rfind("--threads=", 0) == 0) {
      threads = std::atoi(arg.c_str() + 10);
    } else {
      std::fprintf(stderr,
                   "usage: http_ceiling_server [--listen=HOST:PORT] "
                   "[--threads=N]\n");
      return 2;
    }
  }
  const size_t colon = listen.rfind(':');
  net::io_context io_context(threads);
  tcp::acceptor acceptor(net::make_strand(io_context));
  const tcp::endpoint endpoint(
      net::ip::make_address(listen.substr(0, colon)),
      static_cast<uint16_t>(std::atoi(listen.c_str() + colon + 1)));
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  const tcp::endpoint bound = acceptor.local_endpoint();
  std::printf("listening on %s:%u\n", bound.address().to_string().c_str(),
              bound.port());
  std::fflush(stdout);
  net::dispatch(acceptor.get_executor(), [&] { Accept(acceptor, io_context); });
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&io_context] { io_context.run(); });
  }
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  io_context.stop();
  for (std::thread& thread : pool) {
    thread.join();
  }
  return 0;
}

// gateway_load: an HTTP/1.1 keep-alive load generator for the gateway's
// end-to-end benchmark (bench/gateway_load.sh). Every request carries a
// body of its own (the seed with a unique publication id, so the service
// stores each one instead of deduplicating) and its own HMAC signature, as
// Voucherify would send it.
//
//   gateway_load --target=127.0.0.1:PORT --path=/webhooks/voucherify/T
//       --body=seed.json --replace=pub_r0413bLwExpB6LE0v286eNVmEpx6NxmP
//       --secret=S --connections=64 --seconds=10 [--rate=R]
//
// Closed loop by default (each connection sends as soon as it is answered);
// --rate=R paces the total to R requests/s (open loop per connection, so
// latency includes queueing). Prints one line of results. One thread.
//
// Every occurrence of --replace in the body gets the request's unique id
// (a body that also carries the id outside the publication, as the peer's
// wrapped body does, stays consistent). An empty --secret sends no
// signature header (the peer gateway checks none).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "transcode/signature.h"
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Config {
  std::string host = "127.0.0.1";
  std::string port;
  std::string path = "/";
  std::string body;
  std::string replace;
  std::string secret;
  int connections = 64;
  double seconds = 10;
  double rate = 0;
};

struct Results {
  std::vector<double> latencies_us;
  uint64_t non_2xx = 0;
  uint64_t errors = 0;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(net::io_context& io_context, const Config& config, int index,
         Clock::time_point end, Results* results)
      : stream_(io_context),
        timer_(io_context),
        config_(config),
        index_(index),
        end_(end),
        results_(results) {}

  void Start(const tcp::endpoint& endpoint) {
    stream_.async_connect(endpoint,
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) {
                              ++self->results_->errors;
                              return;
                            }
                            self->next_send_ = Clock::now();
                            self->Next();
                          });
  }

 private:
  void Next() {
    if (Clock::now() >= end_) {
      return;
    }
    if (config_.rate > 0) {
      const auto interval =
          std::chrono::duration<double>(config_.connections / config_.rate);
      next_send_ += std::chrono::duration_cast<Clock::duration>(interval);
      timer_.expires_at(next_send_);
      timer_.async_wait([self = shared_from_this()](beast::error_code) {
        self->Send(self->next_send_);
      });
      return;
    }
    Send(Clock::now());
  }

  void Send(Clock::time_point scheduled) {
    scheduled_ = scheduled;
    std::string body = config_.body;
    if (!config_.replace.empty()) {
      const std::string id =
          "pub_load" + std::to_string(Clock::now().time_since_epoch().count()) +
          "c" + std::to_string(index_) + "n" + std::to_string(sent_++);
      for (size_t at = body.find(config_.replace); at != std::string::npos;
           at = body.find(config_.replace, at + id.size())) {
        body.replace(at, config_.replace.size(), id);
      }
    }
    request_ = {};
    request_.method(http::verb::post);
    request_.target(config_.path);
    request_.version(11);
    request_.set(http::field::host, config_.host);
    request_.set(http::field::content_type, "application/json");
    if (!config_.secret.empty()) {
      request_.set("x-voucherify-signature",
                   vouchstream::transcode::SignHex(config_.secret, body));
    }
    request_.body() = std::move(body);
    request_.prepare_payload();
    http::async_write(
        stream_, request_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) {
            ++self->results_->errors;
            return;
          }
          self->Read();
        });
  }

  void Read() {
    response_ = {};
    http::async_read(
        stream_, buffer_, response_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) {
            ++self->results_->errors;
            return;
          }
          const auto elapsed = Clock::now() - self->scheduled_;
          self->results_->latencies_us.push_back(
              std::chrono::duration<double, std::micro>(elapsed).count());
          if (self->response_.result_int() / 100 != 2) {
            ++self->results_->non_2xx;
          }
          self->Next();
        });
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  const Config& config_;
  const int index_;
  const Clock::time_point end_;
  Results* const results_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  Clock::time_point next_send_;
  Clock::time_point scheduled_;
  uint64_t sent_ = 0;
};

bool Flag(const std::string& arg, const char* name, std::string* value) {
  const std::string prefix = std::string("--") + name + "=";
  if (!absl::StartsWith(arg, prefix)) {
    return false;
  }
  *value = arg.substr(prefix.size());
  return true;
}

int Run(int argc, char** argv) {
  Config config;
  std::string target;
  std::string body_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string value;
    if (Flag(arg, "target", &target) || Flag(arg, "path", &config.path) ||
        Flag(arg, "body", &body_file) ||
        Flag(arg, "replace", &config.replace) ||
        Flag(arg, "secret", &config.secret)) {
      continue;
    }
    if (Flag(arg, "connections", &value)) {
      config.connections = std::atoi(value.c_str());
    } else if (Flag(arg, "seconds", &value)) {
      config.seconds = std::atof(value.c_str());
    } else if (Flag(arg, "rate", &value)) {
      config.rate = std::atof(value.c_str());
    } else {
      std::fprintf(stderr, "gateway_load: unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  const size_t colon = target.rfind(':');
  if (colon == std::string::npos || body_file.empty()) {
    std::fprintf(stderr,
                 "usage: gateway_load --target=HOST:PORT --path=P --body=FILE "
                 "[--secret=S] [--replace=TEXT] [--connections=N] "
                 "[--seconds=S] [--rate=R]\n");
    return 2;
  }
  config.host = target.substr(0, colon);
  config.port = target.substr(colon + 1);
  std::ifstream in(body_file, std::ios::binary);
  config.body.assign(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());

  net::io_context io_context(1);
  const tcp::endpoint endpoint(
      net::ip::make_address(config.host),
      static_cast<uint16_t>(std::atoi(config.port.c_str())));
  Results results;
  results.latencies_us.reserve(1 << 20);
  const Clock::time_point start = Clock::now();
  const Clock::time_point end =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(config.seconds));
  for (int i = 0; i < config.connections; ++i) {
    std::make_shared<Client>(io_context, config, i, end, &results)
        ->Start(endpoint);
  }
  io_context.run();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double>& latencies = results.latencies_us;
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&latencies](double p) {
    if (latencies.empty()) {
      return 0.0;
    }
    return latencies[std::min(
        latencies.size() - 1,
        static_cast<size_t>(p * static_cast<double>(latencies.size())))];
  };
  std::printf(
      "requests=%zu seconds=%.2f rps=%.0f p50_ms=%.3f p90_ms=%.3f "
      "p99_ms=%.3f max_ms=%.3f non_2xx=%llu errors=%llu\n",
      latencies.size(), elapsed,
      static_cast<double>(latencies.size()) / elapsed, percentile(0.50) / 1000,
      percentile(0.90) / 1000, percentile(0.99) / 1000,
      latencies.empty() ? 0.0 : latencies.back() / 1000,
      static_cast<unsigned long long>(results.non_2xx),
      static_cast<unsigned long long>(results.errors));
  return results.errors == 0 && results.non_2xx == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Boost.Asio reports setup failures (bad address, no such port) by
  // throwing; a load generator just says so and fails.
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gateway_load: %s\n", e.what());
    return 1;
  }
}

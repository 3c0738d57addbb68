#include "tests/testing/webhook_load.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "transcode/signature.h"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vouchstream::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// How long a connection waits before it connects again after a failure.
constexpr auto kReconnectDelay = std::chrono::milliseconds(20);

uint64_t SeqOf(const std::string& body) {
  constexpr absl::string_view kKey = "\"seq\":";
  const size_t at = body.find(kKey.data(), 0, kKey.size());
  if (at == std::string::npos) {
    return 0;
  }
  const size_t end = body.find_first_not_of("0123456789", at + kKey.size());
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(absl::string_view(body).substr(at + kKey.size(),
                                                       end - at - kKey.size()),
                        &seq)) {
    return 0;
  }
  return seq;
}

}  // namespace

// One keep-alive connection, sending one request at a time. Lives on the
// load's thread only.
class WebhookLoad::Connection
    : public std::enable_shared_from_this<WebhookLoad::Connection> {
 public:
  Connection(net::io_context& io_context, WebhookLoad* load)
      : stream_(io_context), timer_(io_context), load_(load) {}

  void Connect() {
    if (load_->Stopping()) {
      return;
    }
    stream_.expires_after(
        absl::ToChronoMilliseconds(load_->options_.request_timeout));
    stream_.async_connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"),
                      static_cast<uint16_t>(load_->options_.port)),
        [self = shared_from_this()](beast::error_code ec) {
          if (ec) {
            self->Reconnect();
            return;
          }
          self->SendNext();
        });
  }

 private:
  void SendNext() {
    if (!load_->NextRequest(&index_, &id_)) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.close();
      return;
    }
    const Options& options = load_->options_;
    request_ = {};
    request_.method(http::verb::post);
    request_.target(options.path);
    request_.version(11);
    request_.keep_alive(true);
    request_.set(http::field::host, absl::StrCat("127.0.0.1:", options.port));
    request_.set(http::field::content_type, "application/json");
    request_.body() = absl::StrCat(load_->body_head_, id_, load_->body_tail_);
    request_.set("x-voucherify-signature",
                 transcode::SignHex(options.secret, request_.body()));
    request_.prepare_payload();
    stream_.expires_after(absl::ToChronoMilliseconds(options.request_timeout));
    http::async_write(
        stream_, request_,
        [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) {
          if (ec) {
            self->Fail();
            return;
          }
          self->Read();
        });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) {
          if (ec) {
            self->Fail();
            return;
          }
          self->OnResponse();
        });
  }

  void OnResponse() {
    const http::response<http::string_body>& response = parser_->get();
    Request answer;
    answer.id = id_;
    answer.http_status = response.result_int();
    answer.retry_after = std::string(response[http::field::retry_after]);
    if (answer.http_status / 100 == 2) {
      answer.seq = SeqOf(response.body());
      answer.duplicate =
          response.body().find("\"duplicate\":true") != std::string::npos;
    } else {
      answer.error_body = response.body();
    }
    const bool keep_alive = response.keep_alive();
    load_->Record(index_, std::move(answer));
    if (!keep_alive) {
      stream_.close();
      Reconnect();
      return;
    }
    const absl::Duration pause = load_->options_.pause;
    if (pause <= absl::ZeroDuration()) {
      SendNext();
      return;
    }
    timer_.expires_after(absl::ToChronoMicroseconds(pause));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->SendNext();
      }
    });
  }

  void Fail() {
    Request answer;
    answer.id = id_;
    load_->Record(index_, std::move(answer));
    stream_.close();
    Reconnect();
  }

  void Reconnect() {
    buffer_.clear();
    timer_.expires_after(kReconnectDelay);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->Connect();
      }
    });
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  WebhookLoad* const load_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  size_t index_ = 0;
  std::string id_;
};

WebhookLoad::WebhookLoad(Options options) : options_(std::move(options)) {
  const size_t at = options_.body.find(options_.placeholder);
  if (options_.placeholder.empty() || at == std::string::npos) {
    std::abort();  // A broken test: every request would carry the same id.
  }
  body_head_ = options_.body.substr(0, at);
  body_tail_ = options_.body.substr(at + options_.placeholder.size());
  absl::MutexLock lock(&thread_mu_);
  thread_ = std::thread([this] {
    net::io_context io_context;
    for (int i = 0; i < options_.connections; ++i) {
      std::make_shared<Connection>(io_context, this)->Connect();
    }
    io_context.run();
  });
}

WebhookLoad::~WebhookLoad() { Stop(); }

void WebhookLoad::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  absl::MutexLock lock(&thread_mu_);
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool WebhookLoad::Stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

bool WebhookLoad::NextRequest(size_t* index, std::string* id) {
  absl::MutexLock lock(&mu_);
  const size_t next = requests_.size();
  if (stopping_ ||
      (options_.max_requests > 0 && next >= options_.max_requests) ||
      (!options_.ids.empty() && next >= options_.ids.size())) {
    return false;
  }
  *index = next;
  *id = options_.ids.empty() ? absl::StrCat(options_.id_prefix, next)
                             : options_.ids[next];
  requests_.push_back(Request{*id, 0, "", 0, false, ""});
  ++counts_.sent;
  return true;
}

void WebhookLoad::Record(size_t index, Request answer) {
  absl::MutexLock lock(&mu_);
  if (answer.http_status == 0) {
    ++counts_.failed;
  } else if (answer.http_status / 100 == 2) {
    ++counts_.ok;
  } else if (answer.http_status == 503) {
    ++counts_.unavailable;
  } else {
    ++counts_.other;
  }
  requests_[index] = std::move(answer);
}

WebhookLoad::Counts WebhookLoad::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

bool WebhookLoad::WaitUntil(const std::function<bool(const Counts&)>& done,
                            absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  auto holds = [this, &done] {
    mu_.AssertReaderHeld();
    return done(counts_);
  };
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithDeadline(absl::Condition(&holds), deadline);
}

std::vector<WebhookLoad::Request> WebhookLoad::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

}  // namespace vouchstream::testing

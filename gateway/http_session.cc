#include "gateway/http_session.h"

#include <atomic>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "gateway/error_mapping.h"
#include "gateway/router.h"
#include "gateway/transcoder.h"
#include "gateway/webhook_handler.h"

namespace vouchstream::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr size_t kMaxHeaderBytes = size_t{16} * 1024;
constexpr size_t kReadChunkBytes = size_t{64} * 1024;
constexpr size_t kMaxRequestIdLength = 128;

absl::string_view View(beast::string_view view) {
  return {view.data(), view.size()};
}

// "<process nonce>-<counter>": unique per process run, cheap to make.
std::string NewRequestId() {
  static const uint32_t kNonce = std::random_device()();
  static std::atomic<uint64_t> counter{0};
  return absl::StrFormat("%08x-%x", kNonce,
                         counter.fetch_add(1, std::memory_order_relaxed));
}

// One Transcoder per I/O thread (it is thread-compatible). A strand's
// handlers may run on any pool thread, but never two at once on one thread.
Transcoder& ThreadTranscoder() {
  thread_local Transcoder transcoder;
  return transcoder;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const GatewayContext& context)
      : stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        context_(context) {
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_address_ =
          absl::StrCat(peer.address().to_string(), ":", peer.port());
    }
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this()] { self->DoRead(); });
  }

 private:
  // Two deadlines guard a read: an idle connection may wait
  // `idle_timeout` for a request's first byte, and once it came, the
  // request's headers and body must all arrive within `read_timeout`, so a
  // client that trickles bytes (slowloris) cannot hold the connection.
  // Bytes of a pipelined request already in the buffer count as its first.
  void DoRead() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(context_.options->max_body_bytes);
    if (buffer_.size() > 0) {
      ReadRequest();
      return;
    }
    stream_.expires_after(
        absl::ToChronoMilliseconds(context_.options->idle_timeout));
    stream_.async_read_some(
        buffer_.prepare(beast::read_size(buffer_, kReadChunkBytes)),
        [self = shared_from_this()](beast::error_code ec, size_t bytes) {
          self->OnFirstBytes(ec, bytes);
        });
  }

  void OnFirstBytes(beast::error_code ec, size_t bytes) {
    if (ec) {
      Close();  // Idle timeout, or the client went away.
      return;
    }
    buffer_.commit(bytes);
    ReadRequest();
  }

  void ReadRequest() {
    stream_.expires_after(
        absl::ToChronoMilliseconds(context_.options->read_timeout));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) {
          self->OnRead(ec);
        });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset) {
      // A read timeout closes without an answer: Beast's stream has closed
      // the socket already.
      Close();
      return;
    }
    started_ = absl::Now();
    stream_.expires_never();
    ++generation_;
    request_id_.clear();
    request_ = {};
    route_ = Route::kNotFound;
    if (ec == http::error::body_limit) {
      route_ = MatchRoute(View(parser_->get().method_string()),
                          View(parser_->get().target()))
                   .route;
      // The rest of the body is unread, so the connection cannot continue.
      keep_alive_ = false;
      context_.metrics->AddInFlight(1);
      RespondError(GatewayError(
          413, absl::StrCat("body: larger than the limit of ",
                            context_.options->max_body_bytes, " bytes")));
      return;
    }
    if (ec == http::error::header_limit) {
      keep_alive_ = false;
      context_.metrics->AddInFlight(1);
      RespondError(
          GatewayError(431, absl::StrCat("headers: larger than the limit of ",
                                         kMaxHeaderBytes, " bytes")));
      return;
    }
    if (ec) {
      keep_alive_ = false;
      context_.metrics->AddInFlight(1);
      RespondError(GatewayError(
          400, absl::StrCat("malformed HTTP request: ", ec.message())));
      return;
    }
    request_ = parser_->release();
    keep_alive_ = request_.keep_alive();
    request_id_ = std::string(View(request_["x-request-id"]));
    if (request_id_.empty() || request_id_.size() > kMaxRequestIdLength) {
      request_id_ = NewRequestId();
    }
    context_.metrics->AddInFlight(1);
    Handle();
  }

  void Handle() {
    const RouteMatch match =
        MatchRoute(View(request_.method_string()), View(request_.target()));
    route_ = match.route;
    if (match.route == Route::kNotFound) {
      RespondError(GatewayError(
          404, absl::StrCat("no route for ", View(request_.method_string()),
                            " ", View(request_.target()))));
      return;
    }
    if (!match.method_allowed) {
      allow_ = match.allow;
      RespondError(GatewayError(
          405, absl::StrCat("method ", View(request_.method_string()),
                            " not allowed on ", View(request_.target()),
                            "; use ", match.allow)));
      return;
    }
    switch (match.route) {
      case Route::kHealthz:
        Respond(http::status::ok, "application/json", R"({"status":"ok"})");
        return;
      case Route::kMetrics:
        Respond(http::status::ok, "text/plain; version=0.0.4",
                context_.metrics->Render());
        return;
      case Route::kReadyz:
        CheckReady();
        return;
      default:
        HandleWebhook(match);
        return;
    }
  }

  void CheckReady() {
    const uint64_t generation = generation_;
    context_.health->Check(
        [self = shared_from_this(), generation](absl::Status status) {
          net::post(self->stream_.get_executor(),
                    [self, generation, status = std::move(status)] {
                      self->OnReady(generation, status);
                    });
        });
  }

  void OnReady(uint64_t generation, const absl::Status& status) {
    if (generation != generation_) {
      return;
    }
    if (status.ok()) {
      Respond(http::status::ok, "application/json", R"({"status":"SERVING"})");
    } else {
      HttpError error = GatewayError(503, status.message());
      error.retry_after_seconds = 0;
      RespondError(std::move(error));
    }
  }

  void HandleWebhook(const RouteMatch& match) {
    WebhookRequest webhook;
    webhook.route = match.route;
    webhook.type = match.type;
    webhook.path = View(request_.target());
    webhook.content_type = View(request_[http::field::content_type]);
    webhook.signature = View(request_["x-voucherify-signature"]);
    webhook.body = request_.body();
    webhook.remote_address = remote_address_;
    webhook.traceparent = View(request_["traceparent"]);
    webhook.user_agent = View(request_[http::field::user_agent]);
    webhook.request_id = request_id_;
    std::variant<v1::Event, HttpError> prepared =
        PrepareWebhook(webhook, context_.verifier, context_.options->instance,
                       ThreadTranscoder(), context_.metrics);
    if (auto* error = std::get_if<HttpError>(&prepared)) {
      RespondError(std::move(*error));
      return;
    }
    const uint64_t generation = generation_;
    awaiting_ack_ = true;
    timer_.expires_after(
        absl::ToChronoMilliseconds(context_.options->publish_deadline));
    timer_.async_wait(
        [self = shared_from_this(), generation](beast::error_code ec) {
          if (!ec) {
            self->OnDeadline(generation);
          }
        });
    // `Send` may call back inline (failing fast); the callback only posts,
    // so OnAck always runs after this handler and sees `forward_id_`.
    forward_id_ = context_.forwarder->Send(
        std::get<v1::Event>(std::move(prepared)),
        [self = shared_from_this(), generation](Forwarder::Outcome outcome) {
          net::post(self->stream_.get_executor(),
                    [self, generation, outcome = std::move(outcome)] {
                      self->OnAck(generation, outcome);
                    });
        });
  }

  void OnAck(uint64_t generation, const Forwarder::Outcome& outcome) {
    if (generation != generation_ || !awaiting_ack_) {
      return;  // Answered already (deadline); the ack is stale.
    }
    awaiting_ack_ = false;
    timer_.cancel();
    if (!outcome.status.ok()) {
      context_.metrics->RecordUpstreamError(
          static_cast<int>(outcome.status.error_code()));
      RespondError(UpstreamError(outcome.status));
      return;
    }
    if (outcome.ack.has_error()) {
      context_.metrics->RecordUpstreamError(outcome.ack.error().code());
      RespondError(UpstreamError(outcome.ack.error()));
      return;
    }
    const v1::PublishResponse& ok = outcome.ack.ok();
    if (ok.duplicate()) {
      extra_header_ = "x-vouchstream-duplicate";
    }
    Respond(http::status::ok, "application/json",
            absl::StrCat("{\"seq\":", ok.seq(), ",\"duplicate\":",
                         ok.duplicate() ? "true" : "false", "}"));
  }

  void OnDeadline(uint64_t generation) {
    if (generation != generation_ || !awaiting_ack_) {
      return;
    }
    awaiting_ack_ = false;
    context_.forwarder->Abandon(forward_id_);
    context_.metrics->RecordUpstreamError(
        static_cast<int>(grpc::StatusCode::DEADLINE_EXCEEDED));
    RespondError(GatewayError(
        503, absl::StrCat(
                 "upstream: no durable ack within ",
                 absl::FormatDuration(context_.options->publish_deadline))));
  }

  void RespondError(HttpError error) {
    retry_after_seconds_ = error.retry_after_seconds;
    Respond(static_cast<http::status>(error.http_status), "application/json",
            std::move(error.body));
  }

  void Respond(http::status status, const char* content_type,
               std::string body) {
    response_ = {};
    response_.version(11);
    response_.result(status);
    response_.set(http::field::server, "vouchstream-gateway");
    response_.set(http::field::content_type, content_type);
    response_.set("x-request-id",
                  request_id_.empty() ? NewRequestId() : request_id_);
    if (retry_after_seconds_ > 0) {
      response_.set(http::field::retry_after,
                    std::to_string(retry_after_seconds_));
    }
    if (!allow_.empty()) {
      response_.set(http::field::allow, allow_);
    }
    if (!extra_header_.empty()) {
      response_.set(extra_header_, "true");
    }
    response_.body() = std::move(body);
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    context_.metrics->RecordRequest(
        route_, static_cast<int>(status), absl::Now() - started_,
        request_.body().size(), response_.body().size());
    context_.metrics->AddInFlight(-1);
    retry_after_seconds_ = 0;
    allow_.clear();
    extra_header_.clear();
    http::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) {
          self->OnWrite(ec);
        });
  }

  void OnWrite(beast::error_code ec) {
    if (ec || !keep_alive_) {
      Close();
      return;
    }
    DoRead();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  const GatewayContext context_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::string remote_address_;
  std::string request_id_;
  Route route_ = Route::kNotFound;
  absl::Time started_;
  bool keep_alive_ = true;
  // Per-response extras, reset after each response.
  int retry_after_seconds_ = 0;
  std::string allow_;
  std::string extra_header_;
  // Counts requests on this connection; an ack or deadline carries the
  // generation it belongs to.
  uint64_t generation_ = 0;
  bool awaiting_ack_ = false;
  uint64_t forward_id_ = 0;
};

}  // namespace

void StartHttpSession(boost::asio::ip::tcp::socket socket,
                      const GatewayContext& context) {
  std::make_shared<Session>(std::move(socket), context)->Run();
}

}  // namespace vouchstream::gateway

#include "gateway/http/http_session.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "transcode/transcoder.h"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "gateway/webhook/error_mapping.h"
#include "gateway/webhook/refusal.h"
#include "gateway/webhook/router.h"
#include "gateway/webhook/webhook_handler.h"

namespace vouchstream::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr size_t kMaxHeaderBytes = size_t{16} * 1024;
constexpr size_t kReadChunkBytes = size_t{64} * 1024;
constexpr size_t kMaxRequestIdLength = 128;
// The graceful close's bounds (Session::Close).
constexpr std::chrono::seconds kDrainTimeout{1};
constexpr size_t kDrainBytes = size_t{1} << 20;

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
transcode::Transcoder& ThreadTranscoder() {
  thread_local transcode::Transcoder transcoder;
  return transcoder;
}

// The connection's socket counted in `connections_open` and in the
// acceptor's slot for as long as the session lives.
class ConnectionCount {
 public:
  ConnectionCount(Metrics* metrics, std::shared_ptr<std::atomic<int>> slot)
      : metrics_(metrics), slot_(std::move(slot)) {
    metrics_->AddConnectionsOpen(1);
  }
  ~ConnectionCount() {
    metrics_->AddConnectionsOpen(-1);
    if (slot_ != nullptr) {
      slot_->fetch_sub(1, std::memory_order_relaxed);
    }
  }
  ConnectionCount(const ConnectionCount&) = delete;
  ConnectionCount& operator=(const ConnectionCount&) = delete;

 private:
  Metrics* metrics_;
  std::shared_ptr<std::atomic<int>> slot_;
};

// `Stream` is `beast::tcp_stream` (HTTP) or
// `beast::ssl_stream<beast::tcp_stream>` (HTTPS); only the handshake and
// the close differ.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  template <class... StreamArgs>
  Session(const GatewayContext& context, ConnectionOptions connection,
          tcp::socket socket, StreamArgs&... stream_args)
      : tls_(std::move(connection.tls)),
        stream_(std::move(socket), stream_args...),
        timer_(stream_.get_executor()),
        read_timer_(stream_.get_executor()),
        context_(context),
        count_(context.metrics, std::move(connection.slot)),
        refuse_(connection.refuse) {
    beast::error_code ec;
    const tcp::endpoint peer = Tcp().socket().remote_endpoint(ec);
    if (!ec) {
      peer_ = peer.address();
      if (peer_.is_v6() && peer_.to_v6().is_v4_mapped()) {
        peer_ = net::ip::make_address_v4(net::ip::v4_mapped, peer_.to_v6());
      }
      remote_address_ =
          absl::StrCat(peer.address().to_string(), ":", peer.port());
    }
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  [self = this->shared_from_this()] { self->Start(); });
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Start() {
    if constexpr (kTls) {
      // A client that never completes the handshake (or speaks plain HTTP
      // to this port) is cut after `read_timeout`.
      Tcp().expires_after(
          absl::ToChronoMilliseconds(context_.options->read_timeout));
      stream_.async_handshake(
          net::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) {
              self->context_.metrics->RecordTlsHandshakeFailure();
              self->Close(/*graceful=*/false);
              return;
            }
            self->AfterHandshake();
          });
    } else {
      AfterHandshake();
    }
  }

  void AfterHandshake() {
    if (refuse_) {
      // Over --max-connections: answer at once, without reading a request,
      // so that the refusal costs little; the close drains what the client
      // sends meanwhile, so it reads the answer rather than a reset.
      keep_alive_ = false;
      counts_as_request_ = false;
      context_.metrics->RecordRefusal(Refusal::kTooManyConnections);
      RespondError(
          RefusalError(Refusal::kTooManyConnections,
                       absl::StrCat("too many connections (--max-connections=",
                                    context_.options->max_connections, ")")));
      return;
    }
    DoRead();
  }

  // Waits up to `idle_timeout` for a request's first byte; a silent close
  // after that. Bytes of a pipelined request already in the buffer count
  // as its first.
  void DoRead() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(context_.options->max_body_bytes);
    if (buffer_.size() > 0) {
      ReadHeader();
      return;
    }
    Tcp().expires_after(
        absl::ToChronoMilliseconds(context_.options->idle_timeout));
    stream_.async_read_some(
        buffer_.prepare(beast::read_size(buffer_, kReadChunkBytes)),
        [self = this->shared_from_this()](beast::error_code ec, size_t bytes) {
          self->OnFirstBytes(ec, bytes);
        });
  }

  void OnFirstBytes(beast::error_code ec, size_t bytes) {
    if (ec) {
      Close(/*graceful=*/false);  // Idle timeout, or the client went away.
      return;
    }
    buffer_.commit(bytes);
    ReadHeader();
  }

  // Arms `read_timer_` for the earlier of `phase_timeout` from now and
  // `read_timeout` from the request's first byte. On expiry the pending
  // read is cancelled and answered 408 (OnRead).
  void StartReadDeadline(absl::Duration phase_timeout) {
    const absl::Time deadline =
        std::min(absl::Now() + phase_timeout,
                 first_byte_ + context_.options->read_timeout);
    const absl::Duration left =
        std::max(deadline - absl::Now(), absl::ZeroDuration());
    const uint64_t phase = ++read_phase_;
    timed_out_ = false;
    read_timer_.expires_after(absl::ToChronoNanoseconds(left));
    read_timer_.async_wait(
        [self = this->shared_from_this(), phase](beast::error_code ec) {
          if (ec || phase != self->read_phase_ || !self->reading_) {
            return;  // Cancelled, or the read completed first.
          }
          self->timed_out_ = true;
          self->Tcp().cancel();
        });
  }

  void StopReadDeadline() {
    reading_ = false;
    ++read_phase_;
    read_timer_.cancel();
  }

  void ReadHeader() {
    first_byte_ = absl::Now();
    Tcp().expires_never();
    reading_ = true;
    timed_out_ = false;
    reading_body_ = false;
    StartReadDeadline(context_.options->header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](
            beast::error_code ec, size_t /*bytes*/) { self->OnHeader(ec); });
  }

  // The headers are in: refuse what the allow-list or the rate limit
  // refuses before a byte of the body is read.
  void OnHeader(beast::error_code ec) {
    if (!ec) {
      std::optional<HttpError> coding = CheckTransferCoding();
      if (coding.has_value()) {
        StopReadDeadline();
        BeginRequest(MatchRoute(View(parser_->get().method_string()),
                                View(parser_->get().target()))
                         .route);
        keep_alive_ = false;  // Where the body ends is unknown.
        RespondError(*std::move(coding));
        return;
      }
    }
    if (ec || parser_->is_done()) {
      OnRead(ec);
      return;
    }
    const RouteMatch match = MatchRoute(View(parser_->get().method_string()),
                                        View(parser_->get().target()));
    if (!IsOperational(match.route)) {
      std::optional<HttpError> refusal = CheckSource();
      if (refusal.has_value()) {
        StopReadDeadline();
        BeginRequest(match.route);
        keep_alive_ = false;  // The body stays unread.
        RespondError(*std::move(refusal));
        return;
      }
      source_checked_ = true;
    }
    reading_body_ = true;
    StartReadDeadline(context_.options->body_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](
            beast::error_code ec, size_t /*bytes*/) { self->OnRead(ec); });
  }

  // 501 unless the request's Transfer-Encoding is absent or exactly
  // "chunked". Beast frames a body only when the last coding is chunked and
  // ignores the others: "xchunked" or "identity" would read as an empty
  // body, "gzip, chunked" as compressed bytes. RFC 9112 section 6.1: a
  // server answers a coding it does not understand with 501 and closes.
  std::optional<HttpError> CheckTransferCoding() const {
    const auto& header = parser_->get();
    const auto [first, last] =
        header.equal_range(http::field::transfer_encoding);
    if (first == last) {
      return std::nullopt;
    }
    if (std::next(first) == last &&
        absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(View(first->value())),
                               "chunked")) {
      return std::nullopt;
    }
    std::string codings;
    for (auto field = first; field != last; ++field) {
      absl::StrAppend(&codings, codings.empty() ? "" : ", ",
                      View(field->value()));
    }
    return ToHttpError(absl::UnimplementedError(
        absl::StrCat("Transfer-Encoding: \"", codings,
                     "\" is not supported; send Content-Length or "
                     "Transfer-Encoding: chunked")));
  }

  static bool IsOperational(Route route) {
    return route == Route::kHealthz || route == Route::kReadyz ||
           route == Route::kMetrics;
  }

  // 403 or 429 for this connection's source, or nothing.
  std::optional<HttpError> CheckSource() {
    if (context_.allow_list != nullptr && !context_.allow_list->Allows(peer_)) {
      context_.metrics->RecordRefusal(Refusal::kSourceNotAllowed);
      return RefusalError(
          Refusal::kSourceNotAllowed,
          absl::StrCat("source ", peer_.to_string(),
                       " is not in the gateway's --allow-from list"));
    }
    if (context_.rate_limiter != nullptr && context_.rate_limiter->enabled()) {
      const RateLimiter::Decision decision =
          context_.rate_limiter->Admit(RateLimitKey(peer_));
      context_.metrics->SetRateLimitSources(
          context_.rate_limiter->tracked_sources());
      if (!decision.allowed) {
        context_.metrics->RecordRefusal(Refusal::kRateLimited);
        const auto seconds = static_cast<int>(
            std::ceil(absl::ToDoubleSeconds(decision.retry_after)));
        return RefusalError(
            Refusal::kRateLimited,
            absl::StrCat("source ", peer_.to_string(),
                         " is over the gateway's --rate-limit of ",
                         context_.options->rate_limit, " requests/s"),
            seconds);
      }
    }
    return std::nullopt;
  }

  // A new request is being answered: counted in flight, earlier acks stale.
  void BeginRequest(Route route) {
    started_ = absl::Now();
    ++generation_;
    request_id_.clear();
    request_ = {};
    route_ = route;
    context_.metrics->AddInFlight(1);
  }

  void OnRead(beast::error_code ec) {
    const bool timed_out = timed_out_;
    const bool checked = source_checked_;
    source_checked_ = false;
    StopReadDeadline();
    if (ec == net::error::operation_aborted && timed_out) {
      // The client was too slow; it may still read a 408.
      context_.metrics->RecordRefusal(Refusal::kRequestTimeout);
      BeginRequest(parser_->is_header_done()
                       ? MatchRoute(View(parser_->get().method_string()),
                                    View(parser_->get().target()))
                             .route
                       : Route::kNotFound);
      keep_alive_ = false;
      RespondError(RefusalError(
          Refusal::kRequestTimeout,
          reading_body_ ? absl::StrCat("body: not received within ",
                                       absl::FormatDuration(std::min(
                                           context_.options->body_timeout,
                                           context_.options->read_timeout)))
                        : absl::StrCat("headers: not received within ",
                                       absl::FormatDuration(std::min(
                                           context_.options->header_timeout,
                                           context_.options->read_timeout)))));
      return;
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset) {
      Close(/*graceful=*/false);
      return;
    }
    if (ec == http::error::body_limit) {
      BeginRequest(MatchRoute(View(parser_->get().method_string()),
                              View(parser_->get().target()))
                       .route);
      // The rest of the body is unread, so the connection cannot continue.
      keep_alive_ = false;
      // A Content-Length over the limit fails the header step itself; the
      // source's refusal still comes first.
      if (!checked && !IsOperational(route_)) {
        std::optional<HttpError> refusal = CheckSource();
        if (refusal.has_value()) {
          RespondError(*std::move(refusal));
          return;
        }
      }
      RespondError(ToHttpError(PayloadTooLarge(
          absl::StrCat("body: larger than the limit of ",
                       context_.options->max_body_bytes, " bytes"))));
      return;
    }
    if (ec == http::error::header_limit) {
      BeginRequest(Route::kNotFound);
      keep_alive_ = false;
      RespondError(ToHttpError(HeaderTooLarge(absl::StrCat(
          "headers: larger than the limit of ", kMaxHeaderBytes, " bytes"))));
      return;
    }
    if (ec) {
      BeginRequest(Route::kNotFound);
      keep_alive_ = false;
      RespondError(ToHttpError(absl::InvalidArgumentError(
          absl::StrCat("malformed HTTP request: ", ec.message()))));
      return;
    }
    BeginRequest(Route::kNotFound);
    request_ = parser_->release();
    keep_alive_ = request_.keep_alive();
    request_id_ = std::string(View(request_["x-request-id"]));
    if (request_id_.empty() || request_id_.size() > kMaxRequestIdLength) {
      request_id_ = NewRequestId();
    }
    Handle(checked);
  }

  // `source_checked`: the allow-list and rate limit ran after the headers
  // (a request without a body skips that step, so they run here).
  void Handle(bool source_checked) {
    const RouteMatch match =
        MatchRoute(View(request_.method_string()), View(request_.target()));
    route_ = match.route;
    if (!source_checked && !IsOperational(match.route)) {
      std::optional<HttpError> refusal = CheckSource();
      if (refusal.has_value()) {
        RespondError(*std::move(refusal));
        return;
      }
    }
    if (match.route == Route::kNotFound) {
      RespondError(ToHttpError(absl::NotFoundError(
          absl::StrCat("no route for ", View(request_.method_string()), " ",
                       View(request_.target())))));
      return;
    }
    if (!match.method_allowed) {
      allow_ = match.allow;
      RespondError(ToHttpError(MethodNotAllowed(absl::StrCat(
          "method ", View(request_.method_string()), " not allowed on ",
          View(request_.target()), "; use ", match.allow))));
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
        [self = this->shared_from_this(), generation](absl::Status status) {
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
      HttpError error = ToHttpError(absl::UnavailableError(status.message()));
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
    WebhookPolicy policy;
    // Held until the request is prepared: a reload may swap the secrets
    // meanwhile; this request is checked against those it started with.
    const std::shared_ptr<const transcode::SignatureVerifier> verifier =
        context_.secrets != nullptr ? context_.secrets->Current() : nullptr;
    policy.verifier = verifier.get();
    policy.gateway_instance = context_.options->instance;
    policy.require_envelope = context_.options->require_envelope;
    std::variant<v1::Event, HttpError> prepared =
        PrepareWebhook(webhook, policy, ThreadTranscoder(), context_.metrics);
    if (auto* error = std::get_if<HttpError>(&prepared)) {
      RespondError(std::move(*error));
      return;
    }
    const uint64_t generation = generation_;
    awaiting_ack_ = true;
    timer_.expires_after(
        absl::ToChronoMilliseconds(context_.options->publish_deadline));
    timer_.async_wait(
        [self = this->shared_from_this(), generation](beast::error_code ec) {
          if (!ec) {
            self->OnDeadline(generation);
          }
        });
    // `Send` may call back inline (failing fast); the callback only posts,
    // so OnAck always runs after this handler and sees `forward_id_`.
    forward_id_ = context_.forwarder->Send(
        std::get<v1::Event>(std::move(prepared)),
        [self = this->shared_from_this(),
         generation](Forwarder::Outcome outcome) {
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
    RespondError(ToHttpError(absl::UnavailableError(absl::StrCat(
        "upstream: no durable ack within ",
        absl::FormatDuration(context_.options->publish_deadline)))));
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
    if (counts_as_request_) {
      context_.metrics->RecordRequest(
          route_, static_cast<int>(status), absl::Now() - started_,
          request_.body().size(), response_.body().size());
      context_.metrics->AddInFlight(-1);
    }
    retry_after_seconds_ = 0;
    allow_.clear();
    extra_header_.clear();
    // A client that does not read its answer is cut like a slow sender.
    Tcp().expires_after(
        absl::ToChronoMilliseconds(context_.options->read_timeout));
    http::async_write(
        stream_, response_,
        [self = this->shared_from_this()](
            beast::error_code ec, size_t /*bytes*/) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    if (ec || !keep_alive_) {
      Close(/*graceful=*/!ec);
      return;
    }
    DoRead();
  }

  // `graceful`: after a response with `Connection: close`. Plain HTTP
  // half-closes and drains what the client still sends (at most
  // kDrainBytes for kDrainTimeout), so that its unread request bytes do not
  // turn the close into a reset that destroys the answer; HTTPS sends
  // close_notify, bounded by the same timeout.
  void Close(bool graceful) {
    read_timer_.cancel();
    if (!graceful) {
      Tcp().close();
      return;
    }
    Tcp().expires_after(kDrainTimeout);
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code /*ec*/) {
            self->Tcp().close();
          });
    } else {
      beast::error_code ignored;
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Drain(0);
    }
  }

  void Drain(size_t drained) {
    if (drained >= kDrainBytes) {
      Tcp().close();
      return;
    }
    drain_buffer_.resize(kReadChunkBytes);
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = this->shared_from_this(), drained](
                                beast::error_code ec, size_t bytes) {
                              if (ec) {
                                self->Tcp().close();
                                return;
                              }
                              self->Drain(drained + bytes);
                            });
  }

  // The TLS context the stream was made with (null for HTTP): a reload
  // swaps the server's context, while this connection keeps its own.
  // Declared before `stream_`, so it outlives it.
  const std::shared_ptr<net::ssl::context> tls_;
  Stream stream_;
  net::steady_timer timer_;
  net::steady_timer read_timer_;
  const GatewayContext context_;
  ConnectionCount count_;
  const bool refuse_;
  net::ip::address peer_;
  beast::flat_buffer buffer_;
  std::string drain_buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::string remote_address_;
  std::string request_id_;
  Route route_ = Route::kNotFound;
  absl::Time started_;
  absl::Time first_byte_;
  bool keep_alive_ = true;
  bool counts_as_request_ = true;
  // The read deadline (StartReadDeadline): `read_phase_` tells a timer
  // from an earlier read phase to do nothing.
  bool reading_ = false;
  bool reading_body_ = false;
  bool timed_out_ = false;
  bool source_checked_ = false;
  uint64_t read_phase_ = 0;
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
                      const GatewayContext& context,
                      ConnectionOptions connection) {
  if (connection.tls != nullptr) {
    net::ssl::context& tls = *connection.tls;
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        context, std::move(connection), std::move(socket), tls)
        ->Run();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(context, std::move(connection),
                                                 std::move(socket))
        ->Run();
  }
}

}  // namespace vouchstream::gateway

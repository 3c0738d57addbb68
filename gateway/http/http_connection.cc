#include "gateway/http/http_connection.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "gateway/http/http_exchange.h"
#include "gateway/http/source_admission.h"
#include "gateway/webhook/error_mapping.h"
#include "gateway/webhook/refusal.h"
#include "gateway/webhook/router.h"

namespace vouchstream::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr size_t kMaxHeaderBytes = size_t{16} * 1024;
constexpr size_t kReadChunkBytes = size_t{64} * 1024;
// The graceful close's bounds (Connection::Close).
constexpr std::chrono::seconds kDrainTimeout{1};
constexpr size_t kDrainBytes = size_t{1} << 20;

absl::string_view View(beast::string_view view) {
  return {view.data(), view.size()};
}

// The connection's socket counted in `connections_open` and in the
// acceptor's slot for as long as the connection lives.
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
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  template <class... StreamArgs>
  Connection(const GatewayContext& context, ConnectionOptions connection,
             tcp::socket socket, StreamArgs&... stream_args)
      : tls_(std::move(connection.tls)),
        stream_(std::move(socket), stream_args...),
        read_timer_(stream_.get_executor()),
        context_(context),
        count_(context.metrics, std::move(connection.slot)),
        refuse_(connection.refuse) {
    beast::error_code ec;
    const tcp::endpoint peer = Tcp().socket().remote_endpoint(ec);
    if (!ec) {
      peer_.address = peer.address();
      if (peer_.address.is_v6() && peer_.address.to_v6().is_v4_mapped()) {
        peer_.address =
            net::ip::make_address_v4(net::ip::v4_mapped, peer_.address.to_v6());
      }
      peer_.remote_address =
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
      context_.metrics->RecordRefusal(Refusal::kTooManyConnections);
      Exchange::BeginUncounted(context_, peer_, stream_.get_executor(),
                               WriteWhenDone())
          ->Reject(RefusalError(
              Refusal::kTooManyConnections,
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

  // The route of the request whose headers are in, for the metrics of an
  // answer given before the request is read whole.
  Route HeaderRoute() const {
    return MatchRoute(View(parser_->get().method_string()),
                      View(parser_->get().target()))
        .route;
  }

  // The headers are in: refuse what the allow-list or the rate limit
  // refuses before a byte of the body is read.
  void OnHeader(beast::error_code ec) {
    if (!ec) {
      std::optional<HttpError> coding = CheckTransferCoding();
      if (coding.has_value()) {
        StopReadDeadline();
        // Where the body ends is unknown.
        Reject(HeaderRoute(), *std::move(coding));
        return;
      }
    }
    if (ec || parser_->is_done()) {
      OnRead(ec);
      return;
    }
    const Route route = HeaderRoute();
    std::optional<HttpError> refusal =
        AdmitSource(context_, peer_.address, route);
    if (refusal.has_value()) {
      StopReadDeadline();
      Reject(route, *std::move(refusal));  // The body stays unread.
      return;
    }
    source_checked_ = true;
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

  void OnRead(beast::error_code ec) {
    const bool timed_out = timed_out_;
    const bool checked = source_checked_;
    source_checked_ = false;
    StopReadDeadline();
    if (ec == net::error::operation_aborted && timed_out) {
      // The client was too slow; it may still read a 408.
      context_.metrics->RecordRefusal(Refusal::kRequestTimeout);
      Reject(parser_->is_header_done() ? HeaderRoute() : Route::kNotFound,
             RefusalError(
                 Refusal::kRequestTimeout,
                 reading_body_
                     ? absl::StrCat("body: not received within ",
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
      // The rest of the body is unread, so the connection cannot continue.
      // A Content-Length over the limit fails the header step itself; the
      // source's refusal still comes first.
      const Route route = HeaderRoute();
      std::optional<HttpError> refusal =
          checked ? std::nullopt : AdmitSource(context_, peer_.address, route);
      Reject(route, refusal.has_value()
                        ? *std::move(refusal)
                        : ToHttpError(PayloadTooLarge(absl::StrCat(
                              "body: larger than the limit of ",
                              context_.options->max_body_bytes, " bytes"))));
      return;
    }
    if (ec == http::error::header_limit) {
      Reject(Route::kNotFound, ToHttpError(HeaderTooLarge(absl::StrCat(
                                   "headers: larger than the limit of ",
                                   kMaxHeaderBytes, " bytes"))));
      return;
    }
    if (ec) {
      Reject(Route::kNotFound,
             ToHttpError(absl::InvalidArgumentError(
                 absl::StrCat("malformed HTTP request: ", ec.message()))));
      return;
    }
    Exchange::Request request = parser_->release();
    keep_alive_ = request.keep_alive();
    Exchange::Begin(context_, peer_, stream_.get_executor(), Route::kNotFound,
                    WriteWhenDone())
        ->Handle(std::move(request), checked);
  }

  // Answers `error` for a request that was not read whole (counted under
  // `route`), then closes: the rest of the request stays unread.
  void Reject(Route route, HttpError error) {
    keep_alive_ = false;
    Exchange::Begin(context_, peer_, stream_.get_executor(), route,
                    WriteWhenDone())
        ->Reject(std::move(error));
  }

  // An exchange's `Done`: write its answer on this connection.
  Exchange::Done WriteWhenDone() {
    return [self = this->shared_from_this()](Exchange::Response response) {
      self->Write(std::move(response));
    };
  }

  void Write(Exchange::Response response) {
    response_ = std::move(response);
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
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
  net::steady_timer read_timer_;
  const GatewayContext context_;
  ConnectionCount count_;
  const bool refuse_;
  Peer peer_;
  beast::flat_buffer buffer_;
  std::string drain_buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // The answer being written; it must outlive `async_write`.
  http::response<http::string_body> response_;
  absl::Time first_byte_;
  bool keep_alive_ = true;
  // The read deadline (StartReadDeadline): `read_phase_` tells a timer
  // from an earlier read phase to do nothing.
  bool reading_ = false;
  bool reading_body_ = false;
  bool timed_out_ = false;
  // `AdmitSource` passed the request after its headers.
  bool source_checked_ = false;
  uint64_t read_phase_ = 0;
};

}  // namespace

void StartHttpConnection(boost::asio::ip::tcp::socket socket,
                         const GatewayContext& context,
                         ConnectionOptions connection) {
  if (connection.tls != nullptr) {
    net::ssl::context& tls = *connection.tls;
    std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
        context, std::move(connection), std::move(socket), tls)
        ->Run();
  } else {
    std::make_shared<Connection<beast::tcp_stream>>(
        context, std::move(connection), std::move(socket))
        ->Run();
  }
}

}  // namespace vouchstream::gateway

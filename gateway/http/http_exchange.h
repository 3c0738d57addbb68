#pragma once
// One request/response exchange on a gateway connection (like Envoy's
// `ActiveStream` beside its connection manager): it takes a request that
// the connection has read whole, routes it, checks its source if the
// connection has not, answers the operational routes (/healthz, /readyz,
// /metrics), prepares a webhook (gateway/webhook) and forwards it
// (gateway/upstream), and builds the response. It never touches the socket:
// the response goes back through `Done`, and the connection adds
// `Connection:` and `Content-Length`, writes it and decides on keep-alive.
//
// A webhook is verified and transcoded on the I/O thread, then handed to
// the `Forwarder`; the exchange never waits on gRPC. The ack (or the
// publish deadline, whichever comes first) is posted back to the
// connection's strand, and whichever comes second finds the exchange
// answered and does nothing.
//
// A counted exchange is a request in the metrics: in flight from `Begin`
// until its answer, then recorded under its route with its latency and
// sizes.
//
//   std::shared_ptr<Exchange> exchange = Exchange::Begin(
//       context, peer, strand, Route::kNotFound,
//       [self](Exchange::Response response) { self->Write(...); });
//   exchange->Handle(std::move(request), /*source_checked=*/false);
//
// Thread-compatible: every method, and `done`, runs on the connection's
// strand. An exchange keeps itself alive while it waits for the service.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gateway/http/gateway_context.h"
#include "gateway/upstream/forwarder.h"
#include "gateway/webhook/error_mapping.h"
#include "gateway/webhook/router.h"

namespace vouchstream::gateway {

// The far end of a connection, as its exchanges see it.
struct Peer {
  // For the allow-list and the rate limit; an IPv4-mapped IPv6 address is
  // given as IPv4.
  boost::asio::ip::address address;
  // "address:port" as accepted, for `Event.ingress.remote_address`; empty
  // if the socket could not tell.
  std::string remote_address;
};

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response =
      boost::beast::http::response<boost::beast::http::string_body>;
  // Receives the answer, once, on the connection's strand.
  using Done = absl::AnyInvocable<void(Response)>;

  // Starts a counted exchange: the clock runs and the request is in flight.
  // `route` is what the metrics record unless `Handle` routes the request.
  // `strand` is the connection's, where asynchronous answers are posted.
  static std::shared_ptr<Exchange> Begin(const GatewayContext& context,
                                         const Peer& peer,
                                         boost::asio::any_io_executor strand,
                                         Route route, Done done);

  // Starts an exchange that is not a request in the metrics: the refusal
  // of a connection over --max-connections, sent before reading anything.
  static std::shared_ptr<Exchange> BeginUncounted(
      const GatewayContext& context, const Peer& peer,
      boost::asio::any_io_executor strand, Done done);

  // Answers `error` at once, with a new request id: the connection could
  // not or would not read the request whole (400, 408, 413, 431, 501, or
  // the source's 403/429 before the body).
  void Reject(HttpError error);

  // Answers `request`, read whole; now or, for /readyz and webhooks, once
  // the service has answered. `source_checked`: `AdmitSource` already
  // passed the request after its headers (a request without a body skips
  // that step, so it runs here).
  void Handle(Request request, bool source_checked);

  // Use `Begin` or `BeginUncounted`; public for std::make_shared.
  Exchange(const GatewayContext& context, Peer peer,
           boost::asio::any_io_executor strand, Route route, bool counted,
           Done done);

 private:
  void CheckReady();
  void OnReady(const absl::Status& status);
  void HandleWebhook(const RouteMatch& match);
  void OnAck(const Forwarder::Outcome& outcome);
  void OnDeadline();
  void RespondError(HttpError error);
  void Respond(boost::beast::http::status status, const char* content_type,
               std::string body);

  const GatewayContext context_;
  const Peer peer_;
  const boost::asio::any_io_executor strand_;
  // False for BeginUncounted: no in-flight gauge, no request metrics.
  const bool counted_;
  Done done_;
  const absl::Time started_;
  Route route_;
  Request request_;
  std::string request_id_;
  // Extra response headers, set before `Respond`.
  int retry_after_seconds_ = 0;
  std::string allow_;
  std::string extra_header_;
  // The publish deadline; `awaiting_ack_` tells the ack and the deadline
  // which of them came first.
  boost::asio::steady_timer timer_;
  bool awaiting_ack_ = false;
  uint64_t forward_id_ = 0;
};

}  // namespace vouchstream::gateway

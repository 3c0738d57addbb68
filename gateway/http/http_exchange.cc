#include "gateway/http/http_exchange.h"

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "transcode/transcoder.h"
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include "gateway/http/source_admission.h"
#include "gateway/webhook/webhook_handler.h"

namespace vouchstream::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

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
transcode::Transcoder& ThreadTranscoder() {
  thread_local transcode::Transcoder transcoder;
  return transcoder;
}

}  // namespace

std::shared_ptr<Exchange> Exchange::Begin(const GatewayContext& context,
                                          const Peer& peer,
                                          net::any_io_executor strand,
                                          Route route, Done done) {
  return std::make_shared<Exchange>(context, peer, std::move(strand), route,
                                    /*counted=*/true, std::move(done));
}

std::shared_ptr<Exchange> Exchange::BeginUncounted(
    const GatewayContext& context, const Peer& peer,
    net::any_io_executor strand, Done done) {
  return std::make_shared<Exchange>(context, peer, std::move(strand),
                                    Route::kNotFound, /*counted=*/false,
                                    std::move(done));
}

Exchange::Exchange(const GatewayContext& context, Peer peer,
                   net::any_io_executor strand, Route route, bool counted,
                   Done done)
    : context_(context),
      peer_(std::move(peer)),
      strand_(std::move(strand)),
      counted_(counted),
      done_(std::move(done)),
      started_(absl::Now()),
      route_(route),
      timer_(strand_) {
  if (counted_) {
    context_.metrics->AddInFlight(1);
  }
}

void Exchange::Reject(HttpError error) { RespondError(std::move(error)); }

void Exchange::Handle(Request request, bool source_checked) {
  request_ = std::move(request);
  request_id_ = std::string(View(request_["x-request-id"]));
  if (request_id_.empty() || request_id_.size() > kMaxRequestIdLength) {
    request_id_ = NewRequestId();
  }
  const RouteMatch match =
      MatchRoute(View(request_.method_string()), View(request_.target()));
  route_ = match.route;
  if (!source_checked) {
    std::optional<HttpError> refusal =
        AdmitSource(context_, peer_.address, match.route);
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

void Exchange::CheckReady() {
  context_.health->Check([self = shared_from_this()](absl::Status status) {
    net::post(self->strand_,
              [self, status = std::move(status)] { self->OnReady(status); });
  });
}

void Exchange::OnReady(const absl::Status& status) {
  if (status.ok()) {
    Respond(http::status::ok, "application/json", R"({"status":"SERVING"})");
  } else {
    // Not ready is a state for the prober to see, not a request to retry.
    HttpError error = ToHttpError(absl::UnavailableError(status.message()));
    error.retry_after_seconds = 0;
    RespondError(std::move(error));
  }
}

void Exchange::HandleWebhook(const RouteMatch& match) {
  WebhookRequest webhook;
  webhook.route = match.route;
  webhook.type = match.type;
  webhook.path = View(request_.target());
  webhook.content_type = View(request_[http::field::content_type]);
  webhook.signature = View(request_["x-voucherify-signature"]);
  webhook.body = request_.body();
  webhook.remote_address = peer_.remote_address;
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
  awaiting_ack_ = true;
  timer_.expires_after(
      absl::ToChronoMilliseconds(context_.options->publish_deadline));
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) {
      self->OnDeadline();
    }
  });
  // `Send` may call back inline (failing fast); the callback only posts,
  // so OnAck always runs after this handler and sees `forward_id_`.
  forward_id_ = context_.forwarder->Send(
      std::get<v1::Event>(std::move(prepared)),
      [self = shared_from_this()](Forwarder::Outcome outcome) {
        net::post(self->strand_, [self, outcome = std::move(outcome)] {
          self->OnAck(outcome);
        });
      });
}

void Exchange::OnAck(const Forwarder::Outcome& outcome) {
  if (!awaiting_ack_) {
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

void Exchange::OnDeadline() {
  if (!awaiting_ack_) {
    return;
  }
  awaiting_ack_ = false;
  context_.forwarder->Abandon(forward_id_);
  context_.metrics->RecordUpstreamError(
      static_cast<int>(grpc::StatusCode::DEADLINE_EXCEEDED));
  RespondError(ToHttpError(absl::UnavailableError(
      absl::StrCat("upstream: no durable ack within ",
                   absl::FormatDuration(context_.options->publish_deadline)))));
}

void Exchange::RespondError(HttpError error) {
  retry_after_seconds_ = error.retry_after_seconds;
  Respond(static_cast<http::status>(error.http_status), "application/json",
          std::move(error.body));
}

void Exchange::Respond(http::status status, const char* content_type,
                       std::string body) {
  Response response;
  response.version(11);
  response.result(status);
  response.set(http::field::server, "vouchstream-gateway");
  response.set(http::field::content_type, content_type);
  response.set("x-request-id",
               request_id_.empty() ? NewRequestId() : request_id_);
  if (retry_after_seconds_ > 0) {
    response.set(http::field::retry_after,
                 std::to_string(retry_after_seconds_));
  }
  if (!allow_.empty()) {
    response.set(http::field::allow, allow_);
  }
  if (!extra_header_.empty()) {
    response.set(extra_header_, "true");
  }
  response.body() = std::move(body);
  if (counted_) {
    context_.metrics->RecordRequest(
        route_, static_cast<int>(status), absl::Now() - started_,
        request_.body().size(), response.body().size());
    context_.metrics->AddInFlight(-1);
  }
  // Moved out first: `done` may hold the connection's last reference, and
  // the exchange answers once.
  Done done = std::move(done_);
  done(std::move(response));
}

}  // namespace vouchstream::gateway

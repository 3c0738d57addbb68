#include "gateway/webhook/webhook_handler.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::gateway {

bool IsJsonContentType(absl::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  const absl::string_view media = absl::StripAsciiWhitespace(
      semicolon == absl::string_view::npos ? content_type
                                           : content_type.substr(0, semicolon));
  return absl::EqualsIgnoreCase(media, "application/json");
}

std::variant<v1::Event, HttpError> PrepareWebhook(
    const WebhookRequest& request, const WebhookPolicy& policy,
    transcode::Transcoder& transcoder, Metrics* metrics) {
  const transcode::SignatureVerifier* const verifier = policy.verifier;
  if (!IsJsonContentType(request.content_type)) {
    return ToHttpError(UnsupportedMediaType(
        absl::StrCat("content-type: expected application/json, got \"",
                     request.content_type, "\"")));
  }
  if (policy.require_envelope && request.route == Route::kWebhookTyped) {
    return ToHttpError(absl::InvalidArgumentError(
        "path: bare event bodies are refused here (--require-envelope); post "
        "the v2024-01-01 envelope to /webhooks/voucherify"));
  }
  if (verifier != nullptr) {
    const absl::Status verified =
        verifier->Verify(request.body, request.signature);
    if (!verified.ok()) {
      if (metrics != nullptr) {
        metrics->RecordSignatureFailure();
      }
      return ToHttpError(absl::UnauthenticatedError(verified.message()));
    }
  }
  absl::StatusOr<v1::Event> event =
      request.route == Route::kWebhookTyped
          ? transcoder.FromBody(request.type, request.body)
          : transcoder.FromEnvelope(request.body);
  if (!event.ok()) {
    return ToHttpError(absl::InvalidArgumentError(event.status().message()));
  }
  v1::Ingress& ingress = *event->mutable_ingress();
  ingress.set_remote_address(std::string{request.remote_address});
  ingress.set_signature_verified(verifier != nullptr);
  ingress.set_gateway_instance(std::string{policy.gateway_instance});
  ingress.set_request_id(std::string{request.request_id});
  ingress.set_traceparent(std::string{request.traceparent});
  ingress.set_user_agent(std::string{request.user_agent});
  ingress.set_path(std::string{request.path});
  return *std::move(event);
}

}  // namespace vouchstream::gateway

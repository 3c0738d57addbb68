#pragma once
// The work of one webhook request before it goes upstream, in the order of
// DESIGN.md's "Gateway rules": content type (415), signature over the raw
// bytes (401), transcoding (400), then the source facts stamped into
// `Event.ingress`. Transport-free, so it is tested without sockets.
//
//   WebhookPolicy policy;
//   policy.verifier = verifier.get();
//   policy.gateway_instance = "gw-1";
//   std::variant<v1::Event, HttpError> result =
//       PrepareWebhook(request, policy, transcoder, &metrics);
//
// Thread-compatible: `transcoder` must be the calling thread's own.

#include <string>
#include <variant>

#include "absl/strings/string_view.h"
#include "transcode/signature.h"
#include "transcode/transcoder.h"

#include "vouchstream/v1/event.pb.h"

#include "gateway/webhook/error_mapping.h"
#include "gateway/webhook/metrics.h"
#include "gateway/webhook/router.h"

namespace vouchstream::gateway {

// The parts of an HTTP request a webhook needs; views into the request.
struct WebhookRequest {
  Route route = Route::kWebhookEnvelope;  // kWebhookEnvelope or kWebhookTyped
  absl::string_view type;                 // kWebhookTyped: from the path
  absl::string_view path;
  absl::string_view content_type;
  absl::string_view signature;  // x-voucherify-signature; empty if absent
  absl::string_view body;
  absl::string_view remote_address;
  absl::string_view traceparent;
  absl::string_view user_agent;
  absl::string_view request_id;
};

// How the gateway treats webhooks: fixed at start.
struct WebhookPolicy {
  // Null means verification is off (--insecure-skip-signature); the event
  // then says `signature_verified: false`.
  const transcode::SignatureVerifier* verifier = nullptr;
  absl::string_view gateway_instance;
  // --require-envelope: bare bodies (kWebhookTyped) are refused with 400.
  // The signature covers the body only, so a bare body's type comes from
  // the unsigned URL; an account that sends the v2024 envelope (whose type
  // is signed) loses nothing by refusing them.
  bool require_envelope = false;
};

// True for `application/json`, with parameters (`; charset=utf-8`) allowed,
// case-insensitive.
bool IsJsonContentType(absl::string_view content_type);

// Signature failures are counted in `metrics` (may be null).
std::variant<v1::Event, HttpError> PrepareWebhook(
    const WebhookRequest& request, const WebhookPolicy& policy,
    transcode::Transcoder& transcoder, Metrics* metrics);

}  // namespace vouchstream::gateway

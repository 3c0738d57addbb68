#pragma once
// The gateway's hardening refusals (issue 8) as HTTP answers: the same
// google.rpc.Status-shaped JSON as `ToHttpError`
// (gateway/webhook/error_mapping.h), with a google.rpc.ErrorInfo detail whose
// `reason` is machine-readable:
//
//   {"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"...",
//     "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",
//                 "reason":"RATE_LIMITED","domain":"vouchstream.gateway"}]}}
//
//   reason                HTTP  status              Retry-After
//   SOURCE_NOT_ALLOWED    403   PERMISSION_DENIED   -
//   RATE_LIMITED          429   RESOURCE_EXHAUSTED  seconds until a token
//   REQUEST_TIMEOUT       408   DEADLINE_EXCEEDED   -
//   TOO_MANY_CONNECTIONS  503   UNAVAILABLE         kRetryAfterSeconds
//
// Thread-safe: pure functions.

#include "absl/strings/string_view.h"

#include "gateway/webhook/error_mapping.h"

namespace vouchstream::gateway {

enum class Refusal {
  kSourceNotAllowed,
  kRateLimited,
  kRequestTimeout,
  kTooManyConnections,
};
inline constexpr int kRefusalCount = 4;

// "SOURCE_NOT_ALLOWED", ... (the ErrorInfo reason).
absl::string_view RefusalReason(Refusal refusal);

// "source_not_allowed", ... (the metric label).
absl::string_view RefusalLabel(Refusal refusal);

// The answer for `refusal`. `retry_after_seconds` is used for kRateLimited
// (at least 1); the others take the table's value.
HttpError RefusalError(Refusal refusal, absl::string_view message,
                       int retry_after_seconds = 0);

}  // namespace vouchstream::gateway

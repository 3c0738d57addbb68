#pragma once
// The one place that turns a failure into an HTTP answer (STYLE.md section
// 5): gRPC status codes from the service, and the gateway's own refusals,
// become an HTTP status, optional `Retry-After`, and a JSON body shaped like
// google.rpc.Status:
//
//   {"error":{"code":422,"status":"INVALID_ARGUMENT","message":"...",
//     "details":[{"@type":"type.googleapis.com/google.rpc.BadRequest",
//                 "fieldViolations":[{"field":"...","description":"..."}]}]}}
//
// Upstream mapping (after Envoy's `grpcToHttpStatus`, changed where
// Voucherify's retry behaviour asks for it: it retries every non-2xx):
//
//   gRPC code                                   HTTP  Retry-After
//   OK                                          200
//   INVALID_ARGUMENT, FAILED_PRECONDITION,
//     OUT_OF_RANGE                              422   (won't help to retry)
//   UNAVAILABLE, DEADLINE_EXCEEDED,
//     RESOURCE_EXHAUSTED, ABORTED, CANCELLED    503   yes
//   NOT_FOUND, UNIMPLEMENTED,
//     UNAUTHENTICATED, PERMISSION_DENIED        502   (gateway misconfigured)
//   ALREADY_EXISTS                              200   (a duplicate is fine)
//   anything else                               500
//
// Thread-safe: pure functions.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include <grpcpp/support/status.h>

#include "vouchstream/v1/api.pb.h"

#include "common/json_escape.h"

namespace vouchstream::gateway {

// An HTTP error answer, ready to send with `Content-Type: application/json`.
struct HttpError {
  int http_status = 500;
  // Seconds for the `Retry-After` header; 0 means no header.
  int retry_after_seconds = 0;
  std::string body;
};

// Seconds a sender is asked to wait after a 503.
inline constexpr int kRetryAfterSeconds = 5;

// The HTTP status for a gRPC code from the service (table above).
int HttpStatusForGrpcCode(grpc::StatusCode code);

// A refusal by the gateway itself (400, 401, 404, 405, 413, 415, 431, 500,
// 501, 503). The `status` name is chosen from the HTTP code:
// 400/413/415/431 → INVALID_ARGUMENT, 401 → UNAUTHENTICATED, 404 →
// NOT_FOUND, 405/501 → UNIMPLEMENTED, 503 → UNAVAILABLE (with Retry-After),
// else INTERNAL.
HttpError GatewayError(int http_status, absl::string_view message);

// An upstream failure of the stream or call as a whole.
HttpError UpstreamError(const grpc::Status& status);

// An upstream failure of one streamed publish; its field violations go to
// `details` as a google.rpc.BadRequest.
HttpError UpstreamError(const v1::PublishError& error);

// `"` + `value` escaped for a JSON string + `"`, appended to `out`. Bytes
// that are not UTF-8 become U+FFFD, so the result is always valid JSON.
// (common/json_escape.h, kept here under the gateway's name.)
using common::AppendJsonString;

}  // namespace vouchstream::gateway

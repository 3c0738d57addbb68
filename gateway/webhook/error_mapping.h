#pragma once
// The one place that turns a failure into an HTTP answer (STYLE.md section
// 5): the gateway's own failures (an absl::Status), and gRPC status codes
// from the service, become an HTTP status, optional `Retry-After`, and a JSON
// body shaped like google.rpc.Status:
//
//   {"error":{"code":422,"status":"INVALID_ARGUMENT","message":"...",
//     "details":[{"@type":"type.googleapis.com/google.rpc.BadRequest",
//                 "fieldViolations":[{"field":"...","description":"..."}]}]}}
//
// `code` is the HTTP status, `status` the canonical code's name; `details`
// is empty except for the service's field violations. Every 503 carries
// `Retry-After: kRetryAfterSeconds`.
//
// One table maps each canonical code twice. The gateway column (its own
// failures, `ToHttpError`) is google/rpc/code.proto's HTTP mapping. The
// upstream column (`UpstreamError`, `HttpStatusForGrpcCode`) follows Envoy's
// `grpcToHttpStatus`, changed where Voucherify's retry behaviour asks for it:
// it retries every non-2xx.
//
//   canonical code        gateway  upstream
//   OK                    200      200
//   CANCELLED             499      503  (retry)
//   UNKNOWN               500      500
//   INVALID_ARGUMENT      400 (*)  422  (won't help to retry)
//   DEADLINE_EXCEEDED     504      503  (retry)
//   NOT_FOUND             404      502  (gateway misconfigured)
//   ALREADY_EXISTS        409      200  (a duplicate is fine)
//   PERMISSION_DENIED     403      502  (gateway misconfigured)
//   RESOURCE_EXHAUSTED    429      503  (retry)
//   FAILED_PRECONDITION   400      422  (won't help to retry)
//   ABORTED               409      503  (retry)
//   OUT_OF_RANGE          400      422  (won't help to retry)
//   UNIMPLEMENTED         501 (*)  502  (gateway misconfigured)
//   INTERNAL              500      500
//   UNAVAILABLE           503      503  (retry)
//   DATA_LOSS             500      500
//   UNAUTHENTICATED       401      502  (gateway misconfigured)
//   any other number      as UNKNOWN
//
// (*) Where HTTP is finer than the canonical code, a named constructor below
// keeps the exact HTTP status in a payload of the absl::Status, which
// `ToHttpError` prefers: `PayloadTooLarge` 413, `UnsupportedMediaType` 415,
// `HeaderTooLarge` 431 (all INVALID_ARGUMENT), `MethodNotAllowed` 405
// (UNIMPLEMENTED).
//
//   HttpError error = ToHttpError(absl::NotFoundError("no route for GET /x"));
//   // error.http_status == 404, error.body names "NOT_FOUND".
//
// Thread-safe: pure functions.

#include <string>
#include <vector>

#include "absl/status/status.h"
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

// The HTTP status for a gRPC code from the service (the upstream column).
int HttpStatusForGrpcCode(grpc::StatusCode code);

// The answer for a failure of the gateway itself: the gateway column for
// `status.code()`, or the HTTP status that one of the named constructors
// below put into `status`. The message goes into the body as it is.
// `status` must not be OK (that is a broken invariant: the process aborts).
HttpError ToHttpError(const absl::Status& status);

// INVALID_ARGUMENT answered 413: the body is over the size limit.
absl::Status PayloadTooLarge(absl::string_view message);
// INVALID_ARGUMENT answered 415: the body's media type is not accepted.
absl::Status UnsupportedMediaType(absl::string_view message);
// INVALID_ARGUMENT answered 431: the request's headers are too large.
absl::Status HeaderTooLarge(absl::string_view message);
// UNIMPLEMENTED answered 405: the route exists, the method does not (the
// caller adds the `Allow` header).
absl::Status MethodNotAllowed(absl::string_view message);

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

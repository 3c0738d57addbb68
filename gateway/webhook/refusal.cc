#include "gateway/webhook/refusal.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace vouchstream::gateway {

absl::string_view RefusalReason(Refusal refusal) {
  switch (refusal) {
    case Refusal::kSourceNotAllowed:
      return "SOURCE_NOT_ALLOWED";
    case Refusal::kRateLimited:
      return "RATE_LIMITED";
    case Refusal::kRequestTimeout:
      return "REQUEST_TIMEOUT";
    case Refusal::kTooManyConnections:
      return "TOO_MANY_CONNECTIONS";
  }
  return "UNKNOWN";
}

absl::string_view RefusalLabel(Refusal refusal) {
  switch (refusal) {
    case Refusal::kSourceNotAllowed:
      return "source_not_allowed";
    case Refusal::kRateLimited:
      return "rate_limited";
    case Refusal::kRequestTimeout:
      return "request_timeout";
    case Refusal::kTooManyConnections:
      return "too_many_connections";
  }
  return "unknown";
}

HttpError RefusalError(Refusal refusal, absl::string_view message,
                       int retry_after_seconds) {
  HttpError error;
  const char* status = "INTERNAL";
  switch (refusal) {
    case Refusal::kSourceNotAllowed:
      error.http_status = 403;
      status = "PERMISSION_DENIED";
      break;
    case Refusal::kRateLimited:
      error.http_status = 429;
      status = "RESOURCE_EXHAUSTED";
      error.retry_after_seconds = std::max(retry_after_seconds, 1);
      break;
    case Refusal::kRequestTimeout:
      error.http_status = 408;
      status = "DEADLINE_EXCEEDED";
      break;
    case Refusal::kTooManyConnections:
      error.http_status = 503;
      status = "UNAVAILABLE";
      error.retry_after_seconds = kRetryAfterSeconds;
      break;
  }
  std::string& out = error.body;
  absl::StrAppend(&out, R"({"error":{"code":)", error.http_status,
                  R"(,"status":")", status, R"(","message":)");
  AppendJsonString(message, &out);
  absl::StrAppend(&out,
                  R"(,"details":[{"@type":"type.googleapis.com/)"
                  R"(google.rpc.ErrorInfo","reason":")",
                  RefusalReason(refusal),
                  R"(","domain":"vouchstream.gateway"}]}})");
  return error;
}

}  // namespace vouchstream::gateway

#include "gateway/webhook/error_mapping.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "common/grpc_status.h"

namespace vouchstream::gateway {
namespace {

// The payload under which the named constructors (`PayloadTooLarge`, ...)
// keep the exact HTTP status, as decimal text. Private to this file: only
// `ToHttpError` reads it, and the gateway never sends it anywhere.
constexpr absl::string_view kHttpStatusUrl = "vouchstream.gateway/http_status";

// The header's table, one row per canonical code, in code order (so a
// code's row is `kCodeTable[code]`; see CodeRowFor).
struct CodeRow {
  absl::StatusCode code;
  int gateway;   // The gateway's own failure (ToHttpError).
  int upstream;  // The service's answer (HttpStatusForGrpcCode).
};

constexpr std::array<CodeRow, 17> kCodeTable = {{
    {absl::StatusCode::kOk, 200, 200},
    {absl::StatusCode::kCancelled, 499, 503},
    {absl::StatusCode::kUnknown, 500, 500},
    {absl::StatusCode::kInvalidArgument, 400, 422},
    {absl::StatusCode::kDeadlineExceeded, 504, 503},
    {absl::StatusCode::kNotFound, 404, 502},
    {absl::StatusCode::kAlreadyExists, 409, 200},
    {absl::StatusCode::kPermissionDenied, 403, 502},
    {absl::StatusCode::kResourceExhausted, 429, 503},
    {absl::StatusCode::kFailedPrecondition, 400, 422},
    {absl::StatusCode::kAborted, 409, 503},
    {absl::StatusCode::kOutOfRange, 400, 422},
    {absl::StatusCode::kUnimplemented, 501, 502},
    {absl::StatusCode::kInternal, 500, 500},
    {absl::StatusCode::kUnavailable, 503, 503},
    {absl::StatusCode::kDataLoss, 500, 500},
    {absl::StatusCode::kUnauthenticated, 401, 502},
}};

constexpr bool InCodeOrder() {
  int expected = 0;
  for (const CodeRow& row : kCodeTable) {
    if (static_cast<int>(row.code) != expected++) {
      return false;
    }
  }
  return true;
}
static_assert(InCodeOrder(), "kCodeTable[i] must be the row of code i");

// A number outside google.rpc.Code's 0..16 (from the wire, say) is UNKNOWN,
// as common::FromGrpcCode has it.
absl::StatusCode Canonical(absl::StatusCode code) {
  return common::FromGrpcCode(common::ToGrpcCode(code));
}

const CodeRow& CodeRowFor(absl::StatusCode code) {
  return kCodeTable[static_cast<size_t>(Canonical(code))];
}

// The HTTP status a named constructor put into `status`, if any.
std::optional<int> HttpStatusPayload(const absl::Status& status) {
  const auto payload = status.GetPayload(kHttpStatusUrl);
  int http_status = 0;
  if (!payload.has_value() ||
      !absl::SimpleAtoi(std::string{*payload}, &http_status) ||
      http_status < 100 || http_status > 599) {
    return std::nullopt;
  }
  return http_status;
}

// The header's (*): HTTP statuses finer than their canonical code.
struct FinerStatus {
  int http_status;
  absl::StatusCode code;
};

constexpr std::array<FinerStatus, 4> kFinerStatuses = {{
    {405, absl::StatusCode::kUnimplemented},    // MethodNotAllowed
    {413, absl::StatusCode::kInvalidArgument},  // PayloadTooLarge
    {415, absl::StatusCode::kInvalidArgument},  // UnsupportedMediaType
    {431, absl::StatusCode::kInvalidArgument},  // HeaderTooLarge
}};

// The canonical code of a status from `kFinerStatuses`, with the HTTP
// status in the payload `ToHttpError` prefers.
absl::Status Finer(int http_status, absl::string_view message) {
  absl::StatusCode code = absl::StatusCode::kInternal;
  for (const FinerStatus& finer : kFinerStatuses) {
    if (finer.http_status == http_status) {
      code = finer.code;
    }
  }
  absl::Status status(code, message);
  status.SetPayload(kHttpStatusUrl, absl::Cord(absl::StrCat(http_status)));
  return status;
}

HttpError Build(
    int http_status, absl::StatusCode code, absl::string_view message,
    const google::protobuf::RepeatedPtrField<v1::FieldViolation>* violations) {
  HttpError error;
  error.http_status = http_status;
  if (http_status == 503) {
    error.retry_after_seconds = kRetryAfterSeconds;
  }
  std::string& out = error.body;
  absl::StrAppend(&out, R"({"error":{"code":)", http_status, R"(,"status":")",
                  absl::StatusCodeToString(Canonical(code)), R"(","message":)");
  AppendJsonString(message, &out);
  out += ",\"details\":[";
  if (violations != nullptr && !violations->empty()) {
    out +=
        "{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\","
        "\"fieldViolations\":[";
    bool first = true;
    for (const v1::FieldViolation& violation : *violations) {
      if (!first) {
        out += ',';
      }
      first = false;
      out += "{\"field\":";
      AppendJsonString(violation.field(), &out);
      out += ",\"description\":";
      AppendJsonString(violation.description(), &out);
      out += '}';
    }
    out += "]}";
  }
  out += "]}}";
  return error;
}

}  // namespace

int HttpStatusForGrpcCode(grpc::StatusCode code) {
  return CodeRowFor(common::FromGrpcCode(code)).upstream;
}

HttpError ToHttpError(const absl::Status& status) {
  if (status.ok()) {
    // An answer is only built for a failure; OK here is a caller's bug.
    std::fputs("ToHttpError: called with an OK status\n", stderr);
    std::abort();
  }
  const int http_status =
      HttpStatusPayload(status).value_or(CodeRowFor(status.code()).gateway);
  return Build(http_status, status.code(), status.message(), nullptr);
}

absl::Status PayloadTooLarge(absl::string_view message) {
  return Finer(413, message);
}

absl::Status UnsupportedMediaType(absl::string_view message) {
  return Finer(415, message);
}

absl::Status HeaderTooLarge(absl::string_view message) {
  return Finer(431, message);
}

absl::Status MethodNotAllowed(absl::string_view message) {
  return Finer(405, message);
}

HttpError UpstreamError(const grpc::Status& status) {
  const absl::StatusCode code = common::FromGrpcCode(status.error_code());
  return Build(CodeRowFor(code).upstream, code,
               absl::StrCat("upstream: ", status.error_message()), nullptr);
}

HttpError UpstreamError(const v1::PublishError& error) {
  // The wire's number as absl's code (an `int` enum, so any number is a
  // value; CodeRowFor and Build make one outside 0..16 UNKNOWN). Casting it
  // to grpc::StatusCode first would be undefined for such a number.
  const auto code = static_cast<absl::StatusCode>(error.code());
  return Build(CodeRowFor(code).upstream, code, error.message(),
               &error.field_violations());
}

}  // namespace vouchstream::gateway

#include "gateway/webhook/error_mapping.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#include "common/grpc_status.h"

namespace vouchstream::gateway {
namespace {

// gRPC's status codes are the canonical codes, so Abseil names them
// ("INVALID_ARGUMENT").
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(common::FromGrpcCode(code));
}

grpc::StatusCode CodeForGatewayStatus(int http_status) {
  switch (http_status) {
    case 400:
    case 413:
    case 415:
    case 431:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case 401:
      return grpc::StatusCode::UNAUTHENTICATED;
    case 404:
      return grpc::StatusCode::NOT_FOUND;
    case 405:
    case 501:
      return grpc::StatusCode::UNIMPLEMENTED;
    case 503:
      return grpc::StatusCode::UNAVAILABLE;
    default:
      return grpc::StatusCode::INTERNAL;
  }
}

HttpError Build(
    int http_status, grpc::StatusCode code, absl::string_view message,
    const google::protobuf::RepeatedPtrField<v1::FieldViolation>* violations) {
  HttpError error;
  error.http_status = http_status;
  if (http_status == 503) {
    error.retry_after_seconds = kRetryAfterSeconds;
  }
  std::string& out = error.body;
  absl::StrAppend(&out, R"({"error":{"code":)", http_status, R"(,"status":")",
                  CodeName(code), R"(","message":)");
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

// Escapes `valid_utf8` for the inside of a JSON string.
}  // namespace

int HttpStatusForGrpcCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::ALREADY_EXISTS:
      return 200;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 422;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::CANCELLED:
      return 503;
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return 502;
    default:
      return 500;
  }
}

HttpError GatewayError(int http_status, absl::string_view message) {
  return Build(http_status, CodeForGatewayStatus(http_status), message,
               nullptr);
}

HttpError UpstreamError(const grpc::Status& status) {
  const grpc::StatusCode code = status.error_code();
  return Build(HttpStatusForGrpcCode(code), code,
               absl::StrCat("upstream: ", status.error_message()), nullptr);
}

HttpError UpstreamError(const v1::PublishError& error) {
  const auto code = static_cast<grpc::StatusCode>(error.code());
  return Build(HttpStatusForGrpcCode(code), code, error.message(),
               &error.field_violations());
}

}  // namespace vouchstream::gateway

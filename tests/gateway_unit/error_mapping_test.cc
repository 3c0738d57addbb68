#include "gateway/webhook/error_mapping.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vouchstream::gateway {
namespace {

using ::testing::HasSubstr;

struct CodeCase {
  grpc::StatusCode code;
  int http_status;
  int retry_after;
};

TEST(ErrorMappingTest, MapsEveryGrpcCode) {
  static const CodeCase kCases[] = {
      {grpc::StatusCode::OK, 200, 0},
      {grpc::StatusCode::ALREADY_EXISTS, 200, 0},
      {grpc::StatusCode::INVALID_ARGUMENT, 422, 0},
      {grpc::StatusCode::FAILED_PRECONDITION, 422, 0},
      {grpc::StatusCode::OUT_OF_RANGE, 422, 0},
      {grpc::StatusCode::UNAVAILABLE, 503, kRetryAfterSeconds},
      {grpc::StatusCode::DEADLINE_EXCEEDED, 503, kRetryAfterSeconds},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, 503, kRetryAfterSeconds},
      {grpc::StatusCode::ABORTED, 503, kRetryAfterSeconds},
      {grpc::StatusCode::CANCELLED, 503, kRetryAfterSeconds},
      {grpc::StatusCode::NOT_FOUND, 502, 0},
      {grpc::StatusCode::UNIMPLEMENTED, 502, 0},
      {grpc::StatusCode::UNAUTHENTICATED, 502, 0},
      {grpc::StatusCode::PERMISSION_DENIED, 502, 0},
      {grpc::StatusCode::INTERNAL, 500, 0},
      {grpc::StatusCode::UNKNOWN, 500, 0},
      {grpc::StatusCode::DATA_LOSS, 500, 0},
  };
  for (const CodeCase& test : kCases) {
    EXPECT_EQ(HttpStatusForGrpcCode(test.code), test.http_status)
        << "code " << test.code;
    if (test.code == grpc::StatusCode::OK) {
      continue;
    }
    const HttpError error = UpstreamError(grpc::Status(test.code, "boom"));
    EXPECT_EQ(error.http_status, test.http_status) << "code " << test.code;
    EXPECT_EQ(error.retry_after_seconds, test.retry_after)
        << "code " << test.code;
    EXPECT_THAT(error.body, HasSubstr("\"message\":\"upstream: boom\""));
  }
}

TEST(ErrorMappingTest, UpstreamErrorBodyIsGoogleRpcStatus) {
  const HttpError error =
      UpstreamError(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  EXPECT_EQ(error.body, R"({"error":{"code":503,"status":"UNAVAILABLE",)"
                        R"("message":"upstream: down","details":[]}})");
}

TEST(ErrorMappingTest, InvalidArgumentCarriesFieldViolations) {
  v1::PublishError publish_error;
  publish_error.set_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  publish_error.set_message("2 rules broken");
  v1::FieldViolation* first = publish_error.add_field_violations();
  first->set_field("publication.customer_id");
  first->set_description("must not be empty");
  v1::FieldViolation* second = publish_error.add_field_violations();
  second->set_field("vouchers[0].code");
  second->set_description("\"x\" does not match ^A");
  const HttpError error = UpstreamError(publish_error);
  EXPECT_EQ(error.http_status, 422);
  EXPECT_EQ(error.retry_after_seconds, 0);
  EXPECT_EQ(
      error.body,
      R"({"error":{"code":422,"status":"INVALID_ARGUMENT",)"
      R"("message":"2 rules broken","details":[)"
      R"({"@type":"type.googleapis.com/google.rpc.BadRequest",)"
      R"("fieldViolations":[)"
      R"({"field":"publication.customer_id","description":"must not be empty"},)"
      R"({"field":"vouchers[0].code","description":"\"x\" does not match ^A"})"
      R"(]}]}})");
}

struct StatusCase {
  absl::Status status;
  int http_status;
  const char* status_name;
  int retry_after;
};

// Every row of the gateway column, and every HTTP status a named constructor
// carries past it: the code, name, Retry-After and body the gateway sends.
TEST(ErrorMappingTest, ToHttpErrorMapsEveryCanonicalCode) {
  const StatusCase kCases[] = {
      {absl::CancelledError("why"), 499, "CANCELLED", 0},
      {absl::UnknownError("why"), 500, "UNKNOWN", 0},
      {absl::InvalidArgumentError("why"), 400, "INVALID_ARGUMENT", 0},
      {absl::DeadlineExceededError("why"), 504, "DEADLINE_EXCEEDED", 0},
      {absl::NotFoundError("why"), 404, "NOT_FOUND", 0},
      {absl::AlreadyExistsError("why"), 409, "ALREADY_EXISTS", 0},
      {absl::PermissionDeniedError("why"), 403, "PERMISSION_DENIED", 0},
      {absl::ResourceExhaustedError("why"), 429, "RESOURCE_EXHAUSTED", 0},
      {absl::FailedPreconditionError("why"), 400, "FAILED_PRECONDITION", 0},
      {absl::AbortedError("why"), 409, "ABORTED", 0},
      {absl::OutOfRangeError("why"), 400, "OUT_OF_RANGE", 0},
      {absl::UnimplementedError("why"), 501, "UNIMPLEMENTED", 0},
      {absl::InternalError("why"), 500, "INTERNAL", 0},
      {absl::UnavailableError("why"), 503, "UNAVAILABLE", kRetryAfterSeconds},
      {absl::DataLossError("why"), 500, "DATA_LOSS", 0},
      {absl::UnauthenticatedError("why"), 401, "UNAUTHENTICATED", 0},
      // A number outside google.rpc.Code is UNKNOWN.
      {absl::Status(static_cast<absl::StatusCode>(42), "why"), 500, "UNKNOWN",
       0},
      // HTTP statuses carried in a payload.
      {PayloadTooLarge("why"), 413, "INVALID_ARGUMENT", 0},
      {UnsupportedMediaType("why"), 415, "INVALID_ARGUMENT", 0},
      {HeaderTooLarge("why"), 431, "INVALID_ARGUMENT", 0},
      {MethodNotAllowed("why"), 405, "UNIMPLEMENTED", 0},
  };
  for (const StatusCase& test : kCases) {
    const HttpError error = ToHttpError(test.status);
    EXPECT_EQ(error.http_status, test.http_status) << test.status;
    EXPECT_EQ(error.retry_after_seconds, test.retry_after) << test.status;
    EXPECT_EQ(error.body, std::string(R"({"error":{"code":)") +
                              std::to_string(test.http_status) +
                              R"(,"status":")" + test.status_name +
                              R"(","message":"why","details":[]}})")
        << test.status;
  }
}

TEST(ErrorMappingTest, NamedConstructorsKeepTheCanonicalCode) {
  EXPECT_EQ(PayloadTooLarge("m").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(UnsupportedMediaType("m").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HeaderTooLarge("m").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MethodNotAllowed("m").code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(MethodNotAllowed("m").message(), "m");
}

TEST(ErrorMappingTest, ToHttpErrorEscapesTheMessage) {
  const HttpError error = ToHttpError(absl::NotFoundError("no \"route\""));
  EXPECT_EQ(error.body, R"({"error":{"code":404,"status":"NOT_FOUND",)"
                        R"("message":"no \"route\"","details":[]}})");
}

TEST(ErrorMappingTest, UpstreamCodeOutsideGoogleRpcCodeIsUnknown) {
  v1::PublishError publish_error;
  publish_error.set_code(42);
  publish_error.set_message("odd");
  const HttpError error = UpstreamError(publish_error);
  EXPECT_EQ(error.http_status, 500);
  EXPECT_EQ(error.body, R"({"error":{"code":500,"status":"UNKNOWN",)"
                        R"("message":"odd","details":[]}})");
}

TEST(ErrorMappingDeathTest, ToHttpErrorRefusesOk) {
  EXPECT_DEATH(ToHttpError(absl::OkStatus()), "OK status");
}

TEST(ErrorMappingTest, EscapesJsonStrings) {
  std::string out;
  AppendJsonString("a\"b\\c\nd\x01", &out);
  EXPECT_EQ(out, R"("a\"b\\c\nd\u0001")");
}

TEST(ErrorMappingTest, ReplacesBytesThatAreNotUtf8) {
  std::string out;
  // A lone continuation byte, an overlong '/', a truncated sequence; the
  // valid two-byte "é" stays.
  AppendJsonString(
      "a\x80"
      "b\xc0\xaf\xc3\xa9\xe2\x82",
      &out);
  EXPECT_EQ(out, R"("a\ufffdb\ufffd\ufffd)"
                 "\xc3\xa9"
                 R"(\ufffd\ufffd")");
}

}  // namespace
}  // namespace vouchstream::gateway

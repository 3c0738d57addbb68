#include "gateway/webhook/error_mapping.h"

#include <string>

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

struct GatewayCase {
  int http_status;
  const char* status_name;
  int retry_after;
};

TEST(ErrorMappingTest, GatewayErrorsNameTheirStatus) {
  static const GatewayCase kCases[] = {
      {400, "INVALID_ARGUMENT", 0},
      {401, "UNAUTHENTICATED", 0},
      {404, "NOT_FOUND", 0},
      {405, "UNIMPLEMENTED", 0},
      {413, "INVALID_ARGUMENT", 0},
      {415, "INVALID_ARGUMENT", 0},
      {431, "INVALID_ARGUMENT", 0},
      {500, "INTERNAL", 0},
      {503, "UNAVAILABLE", kRetryAfterSeconds},
  };
  for (const GatewayCase& test : kCases) {
    const HttpError error = GatewayError(test.http_status, "why");
    EXPECT_EQ(error.http_status, test.http_status);
    EXPECT_EQ(error.retry_after_seconds, test.retry_after);
    EXPECT_EQ(error.body, std::string(R"({"error":{"code":)") +
                              std::to_string(test.http_status) +
                              R"(,"status":")" + test.status_name +
                              R"(","message":"why","details":[]}})");
  }
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

// grpc::Status <-> absl::Status (issue 23): every code by number, the
// message, and the details: payloads packed into google.rpc.Status on the
// way out, error_details kept on the way in, and a round trip loses nothing.

#include "common/grpc_status.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace vouchstream::common {
namespace {

constexpr const char* kBadRequestUrl =
    "type.googleapis.com/google.rpc.BadRequest";

google::rpc::BadRequest OneViolation() {
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("voucher.code");
  violation->set_description("does not match");
  return bad_request;
}

TEST(GrpcStatusTest, OkStaysOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, EveryCodeKeepsItsNumberToGrpc) {
  for (int code = 1; code <= 16; ++code) {
    SCOPED_TRACE(code);
    const grpc::Status grpc_status =
        ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(code), "why"));
    EXPECT_EQ(static_cast<int>(grpc_status.error_code()), code);
    EXPECT_EQ(grpc_status.error_message(), "why");
    EXPECT_TRUE(grpc_status.error_details().empty());
  }
}

TEST(GrpcStatusTest, EveryCodeKeepsItsNumberFromGrpc) {
  for (int code = 1; code <= 16; ++code) {
    SCOPED_TRACE(code);
    EXPECT_EQ(FromGrpcStatus(
                  grpc::Status(static_cast<grpc::StatusCode>(code), "why")),
              absl::Status(static_cast<absl::StatusCode>(code), "why"));
  }
  EXPECT_EQ(absl::StatusCodeToString(FromGrpcCode(grpc::StatusCode::NOT_FOUND)),
            "NOT_FOUND");
}

TEST(GrpcStatusTest, CodesOutsideGoogleRpcCodeBecomeUnknown) {
  EXPECT_EQ(ToGrpcCode(static_cast<absl::StatusCode>(42)),
            grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(FromGrpcCode(static_cast<grpc::StatusCode>(-3)),
            absl::StatusCode::kUnknown);
  EXPECT_EQ(ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(99), "x"))
                .error_code(),
            grpc::StatusCode::UNKNOWN);
}

TEST(GrpcStatusTest, PayloadsArePackedIntoGoogleRpcStatusDetails) {
  absl::Status status = absl::InvalidArgumentError("bad voucher");
  status.SetPayload(kBadRequestUrl,
                    absl::Cord(OneViolation().SerializeAsString()));
  const grpc::Status grpc_status = ToGrpcStatus(status);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(grpc_status.error_details()));
  EXPECT_EQ(details.code(), 3);
  EXPECT_EQ(details.message(), "bad voucher");
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  EXPECT_EQ(bad_request.field_violations(0).field(), "voucher.code");
}

TEST(GrpcStatusTest, DetailsSurviveTheRoundTripUnchanged) {
  absl::Status status = absl::InvalidArgumentError("bad voucher");
  status.SetPayload(kBadRequestUrl,
                    absl::Cord(OneViolation().SerializeAsString()));
  const grpc::Status sent = ToGrpcStatus(status);

  const absl::Status received = FromGrpcStatus(sent);
  EXPECT_EQ(received.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(received.message(), "bad voucher");
  const absl::optional<absl::Cord> details =
      received.GetPayload(kGrpcStatusDetailsUrl);
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(std::string{*details}, sent.error_details());

  // Back to gRPC (the CLI reports a client library's status this way): the
  // same bytes, not a google.rpc.Status wrapped in another.
  const grpc::Status again = ToGrpcStatus(received);
  EXPECT_EQ(again.error_code(), sent.error_code());
  EXPECT_EQ(again.error_details(), sent.error_details());
}

}  // namespace
}  // namespace vouchstream::common

#include "service/rpc/status_mapping.h"

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

#include "service/core/bad_request.h"

namespace vouchstream::rpc {
namespace {

TEST(StatusMappingTest, OkIsOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(StatusMappingTest, CodesAndMessagesCarryOver) {
  static const struct {
    absl::StatusCode in;
    grpc::StatusCode out;
  } kCases[] = {
      {absl::StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
      {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND},
      {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
      {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
      {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED},
      {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS},
  };
  for (const auto& c : kCases) {
    const grpc::Status status = ToGrpcStatus(absl::Status(c.in, "why"));
    EXPECT_EQ(status.error_code(), c.out);
    EXPECT_EQ(status.error_message(), "why");
    EXPECT_TRUE(status.error_details().empty());
  }
}

TEST(StatusMappingTest, PacksBadRequestIntoRpcStatusDetails) {
  v1::FieldViolation a;
  a.set_field("customer.id");
  a.set_description("must be \"cust_\" followed by an id");
  v1::FieldViolation b;
  b.set_field("publication.customer_id");
  b.set_description("must equal customer.id");
  const grpc::Status status = ToGrpcStatus(core::BadRequestError({a, b}));

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(details.message(), status.error_message());
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  EXPECT_EQ(bad_request.field_violations(0).field(), "customer.id");
  EXPECT_EQ(bad_request.field_violations(1).field(), "publication.customer_id");
}

}  // namespace
}  // namespace vouchstream::rpc

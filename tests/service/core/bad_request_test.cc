#include "service/core/bad_request.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::core {
namespace {

using ::testing::IsEmpty;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

v1::FieldViolation Violation(const char* field, const char* description) {
  v1::FieldViolation violation;
  violation.set_field(field);
  violation.set_description(description);
  return violation;
}

TEST(BadRequestTest, RoundTripsEveryViolation) {
  const std::vector<v1::FieldViolation> violations = {
      Violation("publication.customer_id", "must equal customer.id"),
      Violation("vouchers[0].holder_id", "must equal customer.id"),
  };
  const absl::Status status = BadRequestError(violations);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               "publication.customer_id: must equal "
                               "customer.id (and 1 more)"));

  std::optional<google::rpc::BadRequest> bad_request = BadRequestOf(status);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 2);
  EXPECT_EQ(bad_request->field_violations(1).field(), "vouchers[0].holder_id");

  const std::vector<v1::FieldViolation> back = FieldViolationsOf(status);
  ASSERT_EQ(back.size(), 2U);
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].field(), violations[i].field());
    EXPECT_EQ(back[i].description(), violations[i].description());
  }
}

TEST(BadRequestTest, OneViolationHasNoCount) {
  EXPECT_THAT(BadRequestError({Violation("id", "is required")}),
              StatusIs(absl::StatusCode::kInvalidArgument, "id: is required"));
}

TEST(BadRequestTest, NoViolationsIsOk) {
  EXPECT_THAT(BadRequestError({}), IsOk());
}

TEST(BadRequestTest, StatusWithoutPayloadHasNoViolations) {
  const absl::Status plain = absl::InvalidArgumentError("plain");
  EXPECT_FALSE(BadRequestOf(plain).has_value());
  EXPECT_THAT(FieldViolationsOf(plain), IsEmpty());

  absl::Status garbage = absl::InvalidArgumentError("garbage");
  garbage.SetPayload(kBadRequestUrl, absl::Cord("\xff\xff"));
  EXPECT_FALSE(BadRequestOf(garbage).has_value());
}

}  // namespace
}  // namespace vouchstream::core

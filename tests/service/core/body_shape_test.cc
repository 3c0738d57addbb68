#include "service/core/body_shape.h"

#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/event.pb.h"

namespace vouchstream::core {
namespace {

using ::testing::HasSubstr;

v1::Event BareRedemption() {
  v1::Event event;
  event.set_type("redemption.succeeded");
  event.mutable_redemption_succeeded()->mutable_redemption()->set_id("r_1");
  return event;
}

TEST(BodyShapeTest, ABareBodyWithItsIdentifyingObjectPasses) {
  EXPECT_EQ(CheckBareBodyShape(BareRedemption()), std::nullopt);
}

TEST(BodyShapeTest, ABareBodyWithoutItIsNotOfItsUrlsType) {
  v1::Event event = BareRedemption();
  event.mutable_redemption_succeeded()->clear_redemption();
  event.mutable_redemption_succeeded()->mutable_customer()->set_id("cust_1");
  const std::optional<v1::FieldViolation> violation = CheckBareBodyShape(event);
  ASSERT_TRUE(violation.has_value());
  EXPECT_EQ(violation->field(), "redemption");
  EXPECT_THAT(violation->description(),
              HasSubstr("bare redemption.succeeded body"));
}

TEST(BodyShapeTest, ABodyKeptAsDataIsCheckedByItsKeys) {
  v1::Event event;
  event.set_type("redemption.succeeded");
  (*event.mutable_data()->mutable_fields())["publication"]
      .mutable_struct_value();
  ASSERT_TRUE(CheckBareBodyShape(event).has_value());
  (*event.mutable_data()->mutable_fields())["redemption"]
      .mutable_struct_value();
  EXPECT_EQ(CheckBareBodyShape(event), std::nullopt);
  // A null object is no object.
  (*event.mutable_data()->mutable_fields())["redemption"].set_null_value(
      google::protobuf::NULL_VALUE);
  EXPECT_TRUE(CheckBareBodyShape(event).has_value());
}

TEST(BodyShapeTest, EnvelopesAndUntypedTypesAreNotChecked) {
  v1::Event event = BareRedemption();
  event.mutable_redemption_succeeded()->clear_redemption();
  event.mutable_envelope()->set_id("whs_1");
  EXPECT_EQ(CheckBareBodyShape(event), std::nullopt);
  v1::Event untyped;
  untyped.set_type("campaign.earning_rule.assigned");
  untyped.mutable_data();
  EXPECT_EQ(CheckBareBodyShape(untyped), std::nullopt);
}

}  // namespace
}  // namespace vouchstream::core

// Validation over every event family (issue 13 item 4): the objects' rules
// (object_rules.h) hold for every fixture body of testdata/voucherify/events
// and fire wherever the object occurs, not only in publication.succeeded.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "service/core/validator.h"
#include "tests/testing/fixture_events.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::core {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;
using ::vouchstream::testing::IsOk;

std::vector<std::string> Fields(const std::vector<v1::FieldViolation>& all) {
  std::vector<std::string> out;
  for (const v1::FieldViolation& violation : all) {
    out.push_back(violation.field() + ": " + violation.description());
  }
  return out;
}

v1::Event Fixture(const std::string& type) {
  absl::StatusOr<v1::Event> event = testing::FixtureEvent(type);
  EXPECT_THAT(event, IsOk()) << type;
  return event.ok() ? *std::move(event) : v1::Event();
}

class FixtureValidationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureValidationTest, EveryFixtureIsValid) {
  EXPECT_THAT(Fields(Validator().Check(Fixture(GetParam()))), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureValidationTest,
                         ::testing::ValuesIn(testing::FixtureEventTypes()),
                         testing::FixtureTestName);

TEST(ObjectRulesTest, ApplyInARedemption) {
  v1::Event event = Fixture("redemption.succeeded");
  auto& body = *event.mutable_redemption_succeeded();
  body.mutable_customer()->set_id("c_1");
  body.mutable_customer()->set_email("nobody");
  body.mutable_holder()->set_id("holder");
  body.mutable_voucher()->set_id("LOY-1");
  body.mutable_campaign()->mutable_created_at()->set_seconds(4102444800);
  body.mutable_order()->set_id("1234");
  EXPECT_THAT(
      Fields(Validator().Check(event)),
      ::testing::UnorderedElementsAre(
          R"(customer.id: must be "cust_" followed by an id)",
          "customer.email: is not an email address",
          R"(holder.id: must be "cust_" followed by an id)",
          R"(voucher.id: must be "v_" followed by an id)",
          "campaign.created_at: is before the earliest sane time or in the "
          "future",
          R"(order.id: must be "ord_" followed by an id)"));
}

TEST(ObjectRulesTest, OrderTotalsAgreeWithItems) {
  v1::Event event = Fixture("redemption.succeeded");
  auto& order = *event.mutable_redemption_succeeded()->mutable_order();
  ASSERT_EQ(order.items_size(), 1);
  order.mutable_items(0)->set_quantity(3);  // 2700 * 3 != 5400
  EXPECT_THAT(Fields(Validator().Check(event)),
              ::testing::ElementsAre(
                  "order.items[0].amount: must equal price * quantity"));

  order.mutable_items(0)->set_quantity(2);
  order.set_amount(5401);
  EXPECT_THAT(Fields(Validator().Check(event)),
              ::testing::ElementsAre(
                  "order.amount: must equal the sum of items[].amount"));

  // An item without an amount: the sum is not stated, nothing to compare.
  order.mutable_items(0)->clear_amount();
  EXPECT_THAT(Fields(Validator().Check(event)), IsEmpty());
}

TEST(ObjectRulesTest, AmountsPointsAndBalancesAreNotNegative) {
  v1::Event event = Fixture("voucher.loyalty_card.points_added");
  auto& voucher =
      *event.mutable_voucher_loyalty_card_points_added()->mutable_voucher();
  voucher.mutable_loyalty_card()->set_balance(-1);
  voucher.mutable_gift()->set_amount(-5);
  EXPECT_THAT(Fields(Validator().Check(event)),
              ::testing::UnorderedElementsAre(
                  "voucher.gift.amount: must not be negative",
                  "voucher.loyalty_card.balance: must not be negative"));
}

TEST(ObjectRulesTest, UntypedBodiesGetNone) {
  v1::Event event = Fixture("redemption.succeeded");
  event.mutable_data();  // The typed payload goes; nothing to walk.
  EXPECT_THAT(Fields(Validator().Check(event)), IsEmpty());
}

}  // namespace
}  // namespace vouchstream::core

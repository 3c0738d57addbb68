#include "service/core/discount_summary.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace vouchstream::core {
namespace {

using ::voucherify::v1::Discount;

struct SummaryCase {
  const char* name;
  const char* discount;  // text format
  const char* summary;
};

const SummaryCase kCases[] = {
    {"AmountOffItems", "type: AMOUNT amount_off: 100 effect: APPLY_TO_ITEMS",
     "$1.00 off items"},
    {"AmountOffOrder", "type: AMOUNT amount_off: 1000 effect: APPLY_TO_ORDER",
     "$10.00 off order"},
    {"AmountProportionally",
     "type: AMOUNT amount_off: 1999 effect: APPLY_TO_ITEMS_PROPORTIONALLY",
     "$19.99 off items"},
    {"AmountWithoutEffect", "type: AMOUNT amount_off: 5", "$0.05 off"},
    {"AmountFromFormula",
     "type: AMOUNT amount_off_formula: \"2*x\" is_dynamic: true "
     "effect: APPLY_TO_ORDER",
     "computed amount off order"},
    {"PercentWithLimit",
     "type: PERCENT percent_off: 10 amount_limit: 3000 effect: APPLY_TO_ORDER",
     "10% off order, max $30.00"},
    {"PercentFraction",
     "type: PERCENT percent_off: 10.5 effect: APPLY_TO_ITEMS",
     "10.5% off items"},
    {"PercentLongFraction", "type: PERCENT percent_off: 33.333333",
     "33.33% off"},
    {"FixedOrder", "type: FIXED fixed_amount: 500 effect: APPLY_TO_ORDER",
     "order for $5.00"},
    {"FixedItems", "type: FIXED fixed_amount: 12345 effect: APPLY_TO_ITEMS",
     "items for $123.45"},
    {"FixedWithoutEffect", "type: FIXED fixed_amount: 0", "price for $0.00"},
    {"UnitOne",
     "type: UNIT unit_off: 1 unit_type: \"prod_espresso\" "
     "effect: ADD_MISSING_ITEMS",
     "1 free unit of Espresso"},
    {"UnitZeroUnnamed",
     "type: UNIT unit_off: 0 unit_type: \"prod_0df14b7e7d8975079d\"",
     "0 free units of prod_0df14b7e7d8975079d"},
    {"UnitMany",
     "type: UNIT effect: ADD_MANY_ITEMS "
     "units { unit_off: 1 unit_type: \"prod_espresso\" } "
     "units { unit_off: 2 unit_type: \"sku_0b16\" }",
     "1 free unit of Espresso + 2 free units of sku_0b16"},
    {"UnitWithoutProduct", "type: UNIT unit_off: 3", "3 free units of product"},
    {"NoType", "amount_off: 100", ""},
};

class DiscountSummaryTest : public ::testing::TestWithParam<SummaryCase> {};

TEST_P(DiscountSummaryTest, Summarises) {
  Discount discount;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(GetParam().discount,
                                                            &discount));
  const auto namer = [](absl::string_view id) -> std::string {
    return id == "prod_espresso" ? "Espresso" : "";
  };
  EXPECT_EQ(DiscountSummary(discount, namer), GetParam().summary);
}

INSTANTIATE_TEST_SUITE_P(Cases, DiscountSummaryTest,
                         ::testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

TEST(DiscountSummaryTest, WithoutNamerUsesIds) {
  Discount discount;
  discount.set_type(Discount::UNIT);
  discount.set_unit_off(1);
  discount.set_unit_type("prod_espresso");
  EXPECT_EQ(DiscountSummary(discount), "1 free unit of prod_espresso");
}

TEST(FormatCentsTest, Formats) {
  EXPECT_EQ(FormatCents(0), "$0.00");
  EXPECT_EQ(FormatCents(7), "$0.07");
  EXPECT_EQ(FormatCents(123456), "$1234.56");
  EXPECT_EQ(FormatCents(-50), "-$0.50");
  EXPECT_EQ(FormatCents(INT64_MIN), "-$92233720368547758.08");
}

}  // namespace
}  // namespace vouchstream::core

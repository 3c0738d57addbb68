#include "service/core/event_filter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::core {
namespace {

using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

TEST(EventFilterTest, TypeWildcards) {
  static const struct {
    const char* pattern;
    const char* type;
    bool match;
  } kCases[] = {
      {"publication.succeeded", "publication.succeeded", true},
      {"publication.*", "publication.succeeded", true},
      {"publication.*", "publication.", true},
      {"publication.*", "publications.x", false},
      {"*.succeeded", "redemption.succeeded", true},
      {"*", "anything", true},
      {"re*.*ed", "redemption.succeeded", true},
      {"re*.*ed", "redemption.succeeding", false},
      {"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
      {"voucher.published", "voucher.published.x", false},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(EventFilter::TypeMatches(c.pattern, c.type), c.match)
        << c.pattern << " vs " << c.type;
  }
}

v1::Event Event(const std::string& type, const std::string& campaign,
                const std::string& customer, const std::string& code) {
  v1::Event event;
  event.set_type(type);
  event.mutable_enrichment()->set_campaign_id(campaign);
  event.mutable_enrichment()->set_customer_id(customer);
  event.mutable_enrichment()->add_vouchers()->set_code(code);
  auto& meta = *event.mutable_publication_succeeded()
                    ->mutable_customer()
                    ->mutable_metadata()
                    ->mutable_fields();
  meta["region"].set_string_value("EU");
  meta["tier"].set_number_value(3);
  meta["vip"].set_bool_value(true);
  return event;
}

TEST(EventFilterTest, EveryCriterionMustMatch) {
  const v1::Event event =
      Event("publication.succeeded", "camp_1", "cust_1", "PROMO-1234");
  v1::EventFilter proto;
  auto filter = EventFilter::Create(proto);
  ASSERT_THAT(filter, IsOk());
  EXPECT_TRUE(filter->MatchesAll());
  EXPECT_TRUE(filter->Matches(event));

  proto.add_types("redemption.*");
  proto.add_types("publication.*");
  proto.add_campaign_ids("camp_2");
  proto.add_campaign_ids("camp_1");
  proto.add_customer_ids("cust_1");
  (*proto.mutable_metadata())["region"] = "EU";
  (*proto.mutable_metadata())["tier"] = "3";
  (*proto.mutable_metadata())["vip"] = "true";
  proto.set_code_pattern("PROMO-[0-9]{4}");
  filter = EventFilter::Create(proto);
  ASSERT_THAT(filter, IsOk());
  EXPECT_TRUE(filter->Matches(event));

  v1::EventFilter other = proto;
  other.set_code_pattern("PROMO-[0-9]{3}");  // full match only
  EXPECT_FALSE(EventFilter::Create(other)->Matches(event));
  other = proto;
  (*other.mutable_metadata())["region"] = "US";
  EXPECT_FALSE(EventFilter::Create(other)->Matches(event));
  other = proto;
  other.clear_customer_ids();
  other.add_customer_ids("cust_2");
  EXPECT_FALSE(EventFilter::Create(other)->Matches(event));
  other = proto;
  other.clear_types();
  other.add_types("voucher.*");
  EXPECT_FALSE(EventFilter::Create(other)->Matches(event));
}

TEST(EventFilterTest, UntypedMetadataMatches) {
  v1::Event event;
  event.set_type("customer.created");
  auto& customer = *(*event.mutable_data()->mutable_fields())["customer"]
                        .mutable_struct_value()
                        ->mutable_fields();
  (*customer["metadata"].mutable_struct_value()->mutable_fields())["region"]
      .set_string_value("EU");
  v1::EventFilter proto;
  (*proto.mutable_metadata())["region"] = "EU";
  EXPECT_TRUE(EventFilter::Create(proto)->Matches(event));
}

TEST(EventFilterTest, TypedMetadataMatches) {
  v1::Event event;
  event.set_type("customer.segment.entered");
  auto& metadata = *event.mutable_customer_segment_entered()
                        ->mutable_customer()
                        ->mutable_metadata()
                        ->mutable_fields();
  metadata["region"].set_string_value("EU");
  v1::EventFilter proto;
  (*proto.mutable_metadata())["region"] = "EU";
  EXPECT_TRUE(EventFilter::Create(proto)->Matches(event));
  (*proto.mutable_metadata())["region"] = "APAC";
  EXPECT_FALSE(EventFilter::Create(proto)->Matches(event));
}

TEST(EventFilterTest, BadCodePatternIsInvalidArgument) {
  v1::EventFilter proto;
  proto.set_code_pattern("(unclosed");
  EXPECT_THAT(EventFilter::Create(proto),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("filter.code_pattern")));
  // Too big for the memory bound.
  proto.set_code_pattern("((a{100}){100}){100}");
  EXPECT_THAT(EventFilter::Create(proto),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("filter.code_pattern")));
}

}  // namespace
}  // namespace vouchstream::core

#include "service/core/enricher.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

#include "tests/service/core/seed_event.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using ::vouchstream::core::testing::SeedEvent;
using ::vouchstream::core::testing::SeedPublicationTime;
using ::vouchstream::core::testing::SetTime;
using ::vouchstream::testing::IsOk;

constexpr char kCampaign[] = "camp_EV79Z6CjaAMpX4pFxVivvzzk";
constexpr char kCustomer[] = "cust_IdgAFZxYwwHctOk9pPuMu308";
constexpr char kVoucher[] = "v_gZt6Zc74XKRv6VXSqubC2jDMfHjzbFPi";
constexpr char kProduct[] = "prod_0df14b7e7d8975079d";

voucherify::v1::PublicationSucceeded& Body(v1::Event* event) {
  return *event->mutable_publication_succeeded();
}

v1::Enrichment Enriched(v1::Event event,
                        std::shared_ptr<const ReferenceStore> reference = {}) {
  Enricher(std::move(reference)).Enrich(&event);
  return event.enrichment();
}

// A store holding `json`, read from a real file.
std::shared_ptr<const ReferenceStore> StoreWith(const std::string& json) {
  // Named after the test: ctest runs this suite's tests in parallel.
  const std::string path =
      ::testing::TempDir() + "/enricher_reference_" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
  std::ofstream(path) << json;
  auto store = ReferenceStore::Open(path);
  EXPECT_THAT(store, IsOk());
  std::remove(path.c_str());
  return store.ok() ? std::shared_ptr<const ReferenceStore>(*std::move(store))
                    : nullptr;
}

int64_t Millis(const google::protobuf::Duration& d) {
  return d.seconds() * 1000 + d.nanos() / 1000000;
}

TEST(EnricherTest, DeliveryLagFromEnvelopeEventCreatedAt) {
  v1::Event event = SeedEvent();  // received 1 s after the publication
  SetTime(SeedPublicationTime() - absl::Milliseconds(250),
          event.mutable_envelope()->mutable_event()->mutable_created_at());
  const v1::Enrichment e = Enriched(event);
  EXPECT_EQ(Millis(e.delivery_lag()), 1250);
  EXPECT_EQ(e.origin_created_at().seconds(),
            event.envelope().event().created_at().seconds());
}

TEST(EnricherTest, DeliveryLagFallsBackToPublicationThenEnvelope) {
  v1::Event event = SeedEvent();
  event.mutable_envelope()->mutable_event()->clear_created_at();
  SetTime(SeedPublicationTime() - absl::Seconds(5),
          event.mutable_envelope()->mutable_created_at());
  EXPECT_EQ(Millis(Enriched(event).delivery_lag()), 1000);

  Body(&event).mutable_publication()->clear_created_at();
  EXPECT_EQ(Millis(Enriched(event).delivery_lag()), 6000);

  event.mutable_envelope()->clear_created_at();
  EXPECT_FALSE(Enriched(event).has_delivery_lag());
  EXPECT_FALSE(Enriched(event).has_origin_created_at());
}

TEST(EnricherTest, NegativeLagKeepsOneSign) {
  v1::Event event = SeedEvent();
  SetTime(SeedPublicationTime() + absl::Milliseconds(1500),
          event.mutable_envelope()->mutable_event()->mutable_created_at());
  const v1::Enrichment e = Enriched(event);
  EXPECT_EQ(e.delivery_lag().seconds(), 0);
  EXPECT_EQ(e.delivery_lag().nanos(), -500000000);
}

TEST(EnricherTest, IndexKeysOfThePublication) {
  const v1::Enrichment e = Enriched(SeedEvent());
  EXPECT_EQ(e.campaign_id(), kCampaign);
  EXPECT_EQ(e.customer_id(), kCustomer);
}

TEST(EnricherTest, IndexKeysFallBackToVoucherAndPublication) {
  v1::Event event = SeedEvent();
  Body(&event).mutable_campaign()->clear_id();
  Body(&event).mutable_customer()->clear_id();
  const v1::Enrichment e = Enriched(event);
  EXPECT_EQ(e.campaign_id(), kCampaign);
  EXPECT_EQ(e.customer_id(), kCustomer);
}

TEST(EnricherTest, UntypedEventsBestEffort) {
  v1::Event event;
  event.set_type("redemption.succeeded");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"({"redemption": {"customer_id": "cust_1"},
                      "voucher": {"id": "v_1", "code": "ZERO-8",
                                  "campaign_id": "camp_1"},
                      "customer": {"id": "cust_1",
                                   "metadata": {"region": "APAC"}}})",
                  event.mutable_data())
                  .ok());
  const v1::Enrichment e = Enriched(event, StoreWith(R"({"campaigns":
      {"camp_1": {"owner_team": "loyalty"}}})"));
  EXPECT_EQ(e.campaign_id(), "camp_1");
  EXPECT_EQ(e.customer_id(), "cust_1");
  EXPECT_EQ(e.customer_region(), "APAC");
  ASSERT_EQ(e.vouchers_size(), 1);
  EXPECT_EQ(e.vouchers(0).voucher_id(), "v_1");
  EXPECT_EQ(e.vouchers(0).code(), "ZERO-8");
  EXPECT_THAT(e.reference(), ElementsAre(Pair("owner_team", "loyalty")));
  EXPECT_THAT(e.flags(), IsEmpty());
}

// A type the contract types but has no enrichment of its own yet: the same
// facts as its untyped body gave before it was typed.
TEST(EnricherTest, TypedEventsWithoutOwnRulesGetTheUntypedFacts) {
  v1::Event event;
  event.set_type("redemption.succeeded");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"({"redemption": {"customer_id": "cust_1",
                                     "date": "2024-05-14T09:21:37.410Z"},
                      "voucher": {"id": "v_1", "code": "ZERO-8",
                                  "campaign_id": "camp_1",
                                  "type": "DISCOUNT_VOUCHER"},
                      "customer": {"id": "cust_1",
                                   "metadata": {"region": "APAC"}}})",
                  event.mutable_redemption_succeeded())
                  .ok());
  const v1::Enrichment e = Enriched(event, StoreWith(R"({"campaigns":
      {"camp_1": {"owner_team": "loyalty"}}})"));
  EXPECT_EQ(e.campaign_id(), "camp_1");
  EXPECT_EQ(e.customer_id(), "cust_1");
  EXPECT_EQ(e.customer_region(), "APAC");
  ASSERT_EQ(e.vouchers_size(), 1);
  EXPECT_EQ(e.vouchers(0).voucher_id(), "v_1");
  EXPECT_EQ(e.vouchers(0).code(), "ZERO-8");
  EXPECT_THAT(e.reference(), ElementsAre(Pair("owner_team", "loyalty")));
}

TEST(EnricherTest, VoucherFactsOfTheSeed) {
  const v1::Enrichment e = Enriched(SeedEvent());
  ASSERT_EQ(e.vouchers_size(), 1);
  const v1::VoucherFacts& facts = e.vouchers(0);
  EXPECT_EQ(facts.voucher_id(), kVoucher);
  EXPECT_EQ(facts.code(), "ZERO-8");
  EXPECT_TRUE(facts.code_matches_config());
  EXPECT_EQ(facts.discount_summary(),
            absl::StrCat("0 free units of ", kProduct));
  // quantity: null = unlimited.
  EXPECT_FALSE(facts.has_redemptions_left());
  EXPECT_THAT(e.flags(), IsEmpty());
}

TEST(EnricherTest, ImportedCodeIsFlagged) {
  v1::Event event = SeedEvent();
  Body(&event).mutable_vouchers(0)->set_code("IMPORTED-42");
  const v1::Enrichment e = Enriched(event);
  EXPECT_FALSE(e.vouchers(0).code_matches_config());
  EXPECT_THAT(e.flags(),
              ElementsAre(v1::Enrichment::FLAG_CODE_NOT_MATCHING_CONFIG));
}

TEST(EnricherTest, NoCodeConfigMeansNoFlag) {
  v1::Event event = SeedEvent();
  Body(&event).mutable_campaign()->mutable_voucher()->clear_code_config();
  const v1::Enrichment e = Enriched(event);
  EXPECT_FALSE(e.vouchers(0).code_matches_config());
  EXPECT_THAT(e.flags(), IsEmpty());
}

TEST(EnricherTest, RedemptionsLeft) {
  v1::Event event = SeedEvent();
  Body(&event).mutable_vouchers(0)->mutable_redemption()->set_quantity(8);
  EXPECT_EQ(Enriched(event).vouchers(0).redemptions_left(), 3);  // 8 - 5
}

TEST(EnricherTest, DiscountFallsBackToCampaignTemplate) {
  v1::Event event = SeedEvent();
  Body(&event).mutable_vouchers(0)->clear_discount();
  auto* discount =
      Body(&event).mutable_campaign()->mutable_voucher()->mutable_discount();
  discount->Clear();
  discount->set_type(voucherify::v1::Discount::PERCENT);
  discount->set_percent_off(10);
  discount->set_amount_limit(3000);
  discount->set_effect(voucherify::v1::Discount::APPLY_TO_ORDER);
  EXPECT_EQ(Enriched(event).vouchers(0).discount_summary(),
            "10% off order, max $30.00");
}

TEST(EnricherTest, CustomerRegionFromMetadata) {
  EXPECT_EQ(Enriched(SeedEvent()).customer_region(), "EMEA");
  v1::Event event = SeedEvent();
  Body(&event).mutable_customer()->clear_metadata();
  EXPECT_EQ(Enriched(event).customer_region(), "EMEA");  // publication's
  Body(&event).mutable_publication()->mutable_customer()->clear_metadata();
  EXPECT_EQ(Enriched(event).customer_region(), "");
}

TEST(EnricherTest, ReferenceFactsForCampaignAndProduct) {
  const v1::Enrichment e = Enriched(
      SeedEvent(), StoreWith(absl::StrCat(R"({"campaigns": {")", kCampaign,
                                          R"(": {"owner_team": "growth"}},
                                   "products": {")",
                                          kProduct,
                                          R"(": {"product_name": "Espresso",
                                       "owner_team": "coffee"}}})")));
  // The campaign's owner_team wins over the product's.
  EXPECT_THAT(e.reference(),
              UnorderedElementsAre(Pair("owner_team", "growth"),
                                   Pair("product_name", "Espresso")));
  EXPECT_EQ(e.vouchers(0).discount_summary(), "0 free units of Espresso");
}

TEST(EnricherTest, ReferenceStoreReloadIsSeen) {
  const std::string path = ::testing::TempDir() + "/enricher_reload.json";
  std::ofstream(path) << R"({"products": {}})";
  auto opened = ReferenceStore::Open(path);
  ASSERT_THAT(opened, IsOk());
  std::shared_ptr<ReferenceStore> store = *std::move(opened);
  const Enricher enricher(store);
  v1::Event event = SeedEvent();
  enricher.Enrich(&event);
  EXPECT_THAT(event.enrichment().reference(), IsEmpty());

  std::ofstream(path) << absl::StrCat(R"({"products": {")", kProduct,
                                      R"(": {"product_name": "Espresso"}}})");
  ASSERT_THAT(store->Reload(), IsOk());
  enricher.Enrich(&event);
  EXPECT_THAT(event.enrichment().reference(),
              ElementsAre(Pair("product_name", "Espresso")));
  std::remove(path.c_str());
}

TEST(EnricherTest, UserAbsentFlag) {
  v1::Event event = SeedEvent();
  Body(&event).clear_user();
  EXPECT_THAT(Enriched(event).flags(),
              ElementsAre(v1::Enrichment::FLAG_USER_ABSENT));
}

TEST(EnricherTest, UnknownFieldsFlag) {
  v1::Event event = SeedEvent();
  event.add_unknown_fields("data.campaign.voucher.code_config.min_desired");
  EXPECT_THAT(Enriched(event).flags(),
              ElementsAre(v1::Enrichment::FLAG_UNKNOWN_FIELDS));
}

TEST(EnricherTest, OddValuesFlag) {
  v1::Event event = SeedEvent();
  event.add_unknown_fields("data.vouchers[0].active");
  v1::OddValue& odd = *event.add_odd_values();
  odd.set_path("data.vouchers[0].active");
  odd.set_reason("expected a boolean, got string");
  EXPECT_THAT(Enriched(event).flags(),
              ElementsAre(v1::Enrichment::FLAG_UNKNOWN_FIELDS,
                          v1::Enrichment::FLAG_ODD_VALUES));
}

TEST(EnricherTest, SingularVoucherAlreadyListedIsNotRepeated) {
  v1::Event event = SeedEvent();
  *Body(&event).mutable_voucher() = Body(&event).vouchers(0);
  const v1::Enrichment e = Enriched(event);
  EXPECT_EQ(e.vouchers_size(), 1);
  EXPECT_THAT(e.flags(), ElementsAre(v1::Enrichment::FLAG_SINGULAR_VOUCHER));
}

TEST(EnricherTest, SingularVoucherIsAppended) {
  v1::Event event = SeedEvent();
  voucherify::v1::Voucher& single = *Body(&event).mutable_voucher();
  single = Body(&event).vouchers(0);
  single.set_id("v_single");
  single.set_code("ZERO-9");
  Body(&event).clear_vouchers();
  voucherify::v1::Voucher* listed = Body(&event).add_vouchers();
  listed->set_id("v_listed");
  listed->set_code("ZERO-1");
  const v1::Enrichment e = Enriched(event);
  ASSERT_EQ(e.vouchers_size(), 2);
  EXPECT_EQ(e.vouchers(0).voucher_id(), "v_listed");
  EXPECT_EQ(e.vouchers(1).voucher_id(), "v_single");
  EXPECT_TRUE(e.vouchers(1).code_matches_config());
}

TEST(EnricherTest, ReplacesAPreviousEnrichment) {
  v1::Event event = SeedEvent();
  event.mutable_enrichment()->set_customer_region("stale");
  event.mutable_enrichment()->add_flags(v1::Enrichment::FLAG_USER_ABSENT);
  Enricher(nullptr).Enrich(&event);
  EXPECT_EQ(event.enrichment().customer_region(), "EMEA");
  EXPECT_THAT(event.enrichment().flags(), IsEmpty());
}

}  // namespace
}  // namespace vouchstream::core

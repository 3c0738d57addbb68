// Enrichment over every event family (issue 13 items 4 and 8): each
// fixture body of testdata/voucherify/events, enriched typed (as the gateway
// hands it over) and untyped (the same bytes as `data`, parsed by protobuf's
// own JSON parser), goes through one code path: both give the same index
// keys and voucher ids and codes, the keys are those the body carries, and
// every typed voucher with a discount gets its summary, whatever its family.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

#include "service/core/enricher.h"
#include "tests/testing/fixture_events.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::core {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using ::vouchstream::testing::IsOk;

// The string at `path` of an untyped body, read by hand (not through
// body_path.h, which is what is under test).
std::string StringAt(const Struct& body, std::vector<std::string> path) {
  const Struct* object = &body;
  for (size_t i = 0; i < path.size(); ++i) {
    auto it = object->fields().find(path[i]);
    if (it == object->fields().end()) {
      return "";
    }
    const Value& value = it->second;
    if (i + 1 == path.size()) {
      return value.has_string_value() ? value.string_value() : "";
    }
    if (!value.has_struct_value()) {
      return "";
    }
    object = &value.struct_value();
  }
  return "";
}

std::vector<std::pair<std::string, std::string>> VoucherKeys(
    const v1::Enrichment& enrichment) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const v1::VoucherFacts& facts : enrichment.vouchers()) {
    out.emplace_back(facts.voucher_id(), facts.code());
  }
  return out;
}

class EnrichmentFamilyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    absl::StatusOr<v1::Event> event = testing::FixtureEvent(GetParam());
    ASSERT_THAT(event, IsOk());
    typed_ = *std::move(event);
    ASSERT_NE(typed_.payload_case(), v1::Event::kData);
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(typed_.raw(), &body_).ok());
    untyped_ = typed_;
    *untyped_.mutable_data() = body_;
    Enricher enricher(nullptr);
    enricher.Enrich(&typed_);
    enricher.Enrich(&untyped_);
  }

  Struct body_;
  v1::Event typed_;
  v1::Event untyped_;
};

TEST_P(EnrichmentFamilyTest, TypedAndUntypedGiveTheSameKeys) {
  const v1::Enrichment& typed = typed_.enrichment();
  const v1::Enrichment& untyped = untyped_.enrichment();
  EXPECT_EQ(typed.campaign_id(), untyped.campaign_id());
  EXPECT_EQ(typed.customer_id(), untyped.customer_id());
  EXPECT_EQ(typed.customer_region(), untyped.customer_region());
  EXPECT_EQ(VoucherKeys(typed), VoucherKeys(untyped));
}

TEST_P(EnrichmentFamilyTest, KeysAreThoseTheBodyCarries) {
  const v1::Enrichment& enrichment = typed_.enrichment();
  // The object ids win over ids repeated inside other objects.
  if (const std::string campaign = StringAt(body_, {"campaign", "id"});
      !campaign.empty()) {
    EXPECT_EQ(enrichment.campaign_id(), campaign);
  } else if (const std::string of_voucher =
                 StringAt(body_, {"voucher", "campaign_id"});
             !of_voucher.empty()) {
    EXPECT_EQ(enrichment.campaign_id(), of_voucher);
  }
  if (const std::string customer = StringAt(body_, {"customer", "id"});
      !customer.empty()) {
    EXPECT_EQ(enrichment.customer_id(), customer);
  }
  if (const std::string code = StringAt(body_, {"voucher", "code"});
      !code.empty()) {
    ASSERT_FALSE(enrichment.vouchers().empty());
    bool listed = false;
    for (const v1::VoucherFacts& facts : enrichment.vouchers()) {
      listed = listed || facts.code() == code;
    }
    EXPECT_TRUE(listed) << code;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EnrichmentFamilyTest,
                         ::testing::ValuesIn(testing::FixtureEventTypes()),
                         testing::FixtureTestName);

// Every typed voucher with a discount gets its summary, in every family
// whose fixture has one; untyped vouchers get ids and codes only.
TEST(EnrichmentFamiliesTest, TypedVouchersWithADiscountGetASummary) {
  std::vector<std::string> families;
  for (const std::string& type : testing::FixtureEventTypes()) {
    SCOPED_TRACE(type);
    absl::StatusOr<v1::Event> event = testing::FixtureEvent(type);
    ASSERT_THAT(event, IsOk());
    Struct body;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(event->raw(), &body).ok());
    if (StringAt(body, {"voucher", "discount", "type"}).empty()) {
      continue;
    }
    v1::Event untyped = *event;
    *untyped.mutable_data() = body;
    Enricher enricher(nullptr);
    enricher.Enrich(&*event);
    enricher.Enrich(&untyped);

    const std::string id = StringAt(body, {"voucher", "id"});
    int summaries = 0;
    for (const v1::VoucherFacts& facts : event->enrichment().vouchers()) {
      if (facts.voucher_id() == id) {
        EXPECT_FALSE(facts.discount_summary().empty());
        ++summaries;
      }
    }
    EXPECT_EQ(summaries, 1) << id;
    for (const v1::VoucherFacts& facts : untyped.enrichment().vouchers()) {
      EXPECT_TRUE(facts.discount_summary().empty()) << facts.voucher_id();
    }
    families.push_back(type.substr(0, type.find('.')));
  }
  // Not one family's rule: redemptions, customers, loyalty, ... all have it.
  std::sort(families.begin(), families.end());
  families.erase(std::unique(families.begin(), families.end()), families.end());
  EXPECT_GE(families.size(), 4U) << ::testing::PrintToString(families);
  EXPECT_THAT(families, ::testing::Contains("redemption"));
}

}  // namespace
}  // namespace vouchstream::core

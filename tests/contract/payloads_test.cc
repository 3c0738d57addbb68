// What the transcoder makes of real and fixture payloads: the type, the
// idempotency key, the typed payload and the contract drift it reports.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "transcode/transcoder.h"

#include "tests/contract/contract_files.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Contract(const char* name) {
  absl::StatusOr<std::string> json = ReadContractFile(name);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.value_or("");
}

std::string Fixture(const char* name) {
  absl::StatusOr<std::string> json = ReadTestdata(name);
  EXPECT_TRUE(json.ok()) << json.status();
  return json.value_or("");
}

TEST(PayloadsTest, SeedBodyIsTypedInFull) {
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromBody(
      "publication.succeeded", Contract("publication.succeeded.seed.json"));
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(event->type(), "publication.succeeded");
  EXPECT_EQ(event->id(), "pub_r0413bLwExpB6LE0v286eNVmEpx6NxmP");
  EXPECT_THAT(event->unknown_fields(), IsEmpty());
  const auto& body = event->publication_succeeded();
  EXPECT_EQ(body.user().id(), "user_ypzfEcSAphSONMGJRlj6trzXKsh7FGX7");
  EXPECT_EQ(body.campaign().voucher().discount().type(),
            voucherify::v1::Discount::UNIT);
  EXPECT_EQ(body.campaign().voucher().discount().effect(),
            voucherify::v1::Discount::ADD_NEW_ITEMS);
  // Present zero and absent stay apart.
  EXPECT_TRUE(body.campaign().voucher().discount().has_unit_off());
  EXPECT_EQ(body.campaign().voucher().discount().unit_off(), 0);
  EXPECT_FALSE(body.campaign().voucher().redemption().has_quantity());
  EXPECT_FALSE(body.campaign().voucher().has_gift());
  EXPECT_EQ(body.campaign().voucher().code_config().prefix(), "ZERO-");
  ASSERT_EQ(body.vouchers_size(), 1);
  EXPECT_EQ(body.vouchers(0).code(), "ZERO-8");
  EXPECT_EQ(body.vouchers(0).redemption().redeemed_quantity(), 5);
  EXPECT_EQ(body.publication().result(), voucherify::v1::Publication::SUCCESS);
  EXPECT_THAT(body.publication().vouchers_id(),
              ElementsAre("v_gZt6Zc74XKRv6VXSqubC2jDMfHjzbFPi"));
  EXPECT_EQ(body.publication().created_at().seconds(), 1706792073);
  EXPECT_EQ(body.publication().created_at().nanos(), 174000000);
  EXPECT_EQ(body.customer().metadata().fields().at("region").string_value(),
            "EMEA");
  EXPECT_FALSE(body.publication().customer().has_address());
}

TEST(PayloadsTest, VoucherifyExampleEnvelopeIsTypedAndReportsDrift) {
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromEnvelope(
      Contract("voucher.published.envelope.example.json"));
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(event->type(), "voucher.published");
  EXPECT_EQ(event->id(), "evvou_ID");
  EXPECT_EQ(event->envelope().id(), "whs_ID");
  EXPECT_FALSE(event->envelope().has_data());
  EXPECT_EQ(event->envelope().event().event_source().user().id(), "user_ID");
  ASSERT_TRUE(event->has_voucher_published());
  EXPECT_EQ(event->voucher_published().voucher().code(), "kUs7oM-cOD3");
  // The envelope header is all in the contract; the body has one key the
  // schema does not document.
  EXPECT_THAT(event->unknown_fields(),
              ElementsAre("data.campaign.voucher.code_config.min_desired"));
}

TEST(PayloadsTest, EnvelopeOfPublicationIsTypedAndKeyedOnEventId) {
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event =
      transcoder.FromEnvelope(Fixture("envelope.publication.succeeded.json"));
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(event->type(), "publication.succeeded");
  EXPECT_EQ(event->id(), "evpub_7hG2kLmN0pQ");
  EXPECT_EQ(event->envelope().id(), "whs_0a1b2c3d4e5f60718293a4b5");
  EXPECT_EQ(event->publication_succeeded().publication().id(),
            "pub_r0413bLwExpB6LE0v286eNVmEpx6NxmP");
}

TEST(PayloadsTest, DistributionTypeComesFromEventType) {
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event =
      transcoder.FromEnvelope(Fixture("envelope.distribution.json"));
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(event->envelope().type(), "Welcome voucher to CRM");
  EXPECT_EQ(event->type(), "publication.succeeded");
  EXPECT_TRUE(event->has_publication_succeeded());
}

TEST(PayloadsTest, RedemptionEnvelopeIsTyped) {
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event =
      transcoder.FromEnvelope(Fixture("envelope.redemption.succeeded.json"));
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(event->type(), "redemption.succeeded");
  EXPECT_EQ(event->id(), "evred_2Lx0QpA");
  ASSERT_TRUE(event->has_redemption_succeeded());
  const auto& redemption = event->redemption_succeeded().redemption();
  EXPECT_EQ(redemption.amount(), 2500);
  EXPECT_TRUE(redemption.metadata().fields().at("pos").has_null_value());
  EXPECT_EQ(event->redemption_succeeded().voucher().code(), "ZERO-8");
  EXPECT_EQ(event->envelope().event().event_source().api_key().app_id(),
            "app_9c1");
}

TEST(PayloadsTest, UntypedEventKeepsEveryValueInData) {
  // The same envelope, for a type without a published schema.
  std::string envelope = Fixture("envelope.redemption.succeeded.json");
  for (size_t at = envelope.find("redemption.succeeded");
       at != std::string::npos;
       at = envelope.find("redemption.succeeded", at)) {
    envelope.replace(at, 20, "customer.referred");
  }
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromEnvelope(envelope);
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(event->type(), "customer.referred");
  ASSERT_TRUE(event->has_data());
  const auto& redemption =
      event->data().fields().at("redemption").struct_value().fields();
  EXPECT_EQ(redemption.at("amount").number_value(), 2500);
  EXPECT_TRUE(redemption.at("metadata")
                  .struct_value()
                  .fields()
                  .at("pos")
                  .has_null_value());
}

TEST(PayloadsTest, BodyThatDoesNotFitItsTypeIsTypedWithAnOddValue) {
  // Voucherify's schema says `category` is a string, the contract an object
  // (campaign.proto): typing campaign.* must not refuse such a body. It is
  // typed, `category` kept as an odd value (the raw body holds it).
  transcode::Transcoder transcoder;
  for (const char* type : {"campaign.updated", "publication.succeeded"}) {
    absl::StatusOr<v1::Event> event = transcoder.FromBody(
        type, R"({"campaign": {"id": "camp_1", "category": "Seasonal"}})");
    ASSERT_THAT(event, IsOk()) << type;
    EXPECT_FALSE(event->has_data()) << type;
    ASSERT_EQ(event->odd_values_size(), 1) << type;
    EXPECT_EQ(event->odd_values(0).path(), "campaign.category") << type;
    EXPECT_THAT(event->odd_values(0).reason(),
                ::testing::StartsWith("expected an object"))
        << type;
    EXPECT_THAT(event->unknown_fields(),
                ::testing::ElementsAre("campaign.category"))
        << type;
  }
  absl::StatusOr<v1::Event> event = transcoder.FromBody(
      "campaign.updated",
      R"({"campaign": {"id": "camp_1", "category": "Seasonal"}})");
  ASSERT_THAT(event, IsOk());
  ASSERT_TRUE(event->has_campaign_updated());
  EXPECT_EQ(event->campaign_updated().campaign().id(), "camp_1");
  EXPECT_FALSE(event->campaign_updated().campaign().has_category());
}

TEST(PayloadsTest, ReportsExactlyTheFieldsOutsideTheContract) {
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromBody(
      "publication.succeeded", Fixture("body.publication.succeeded.api.json"));
  ASSERT_THAT(event, IsOk());
  EXPECT_THAT(event->unknown_fields(),
              // `assets` (the QR and barcode links) is in the contract since
              // issue 13 typed Voucher's every documented field.
              ElementsAre("campaign.voucher.code_config.min_desired"));
  const auto& body = event->publication_succeeded();
  EXPECT_FALSE(body.has_user());
  EXPECT_EQ(body.voucher().code(), "IMPORTED-CODE-42");
  EXPECT_EQ(body.vouchers(0).created_at().nanos(), 139123000);
  EXPECT_DOUBLE_EQ(body.vouchers(0).discount().percent_off(), 10.5);
  EXPECT_EQ(body.campaign().voucher().redemption().quantity(), 3);
}

TEST(PayloadsTest, BareBodyOfUntypedTypeIsKeyedOnItsDigest) {
  transcode::Transcoder transcoder;
  const std::string body = R"({"customer": {"id": "cust_1"}})";
  absl::StatusOr<v1::Event> first =
      transcoder.FromBody("customer.confirmed", body);
  absl::StatusOr<v1::Event> again =
      transcoder.FromBody("customer.confirmed", body);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT(first->id(), ::testing::StartsWith("sha256:"));
  EXPECT_EQ(first->id().size(), 7 + 64);
  EXPECT_EQ(first->id(), again->id());
  absl::StatusOr<v1::Event> other = transcoder.FromBody(
      "customer.confirmed", R"({"customer": {"id": "c2"}})");
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(other->id(), first->id());
}

TEST(PayloadsTest, BareBodyIsKeyedOnTheIdItsTypeNames) {
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> redemption = transcoder.FromBody(
      "redemption.succeeded", R"({"redemption": {"id": "r_0c5b1f2e"}})");
  ASSERT_THAT(redemption, IsOk());
  EXPECT_EQ(redemption->id(), "r_0c5b1f2e");
  EXPECT_EQ(redemption->id_rule(), v1::ID_RULE_BODY_ID);
  // Two types naming the same object keep the same id: identity is the
  // (type, id) pair.
  absl::StatusOr<v1::Event> created = transcoder.FromBody(
      "customer.created", R"({"customer": {"id": "cust_1"}})");
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->id(), "cust_1");
  // customer.updated recurs for one customer: it names no id of its own.
  absl::StatusOr<v1::Event> updated = transcoder.FromBody(
      "customer.updated", R"({"customer": {"id": "cust_1"}})");
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(updated->id_rule(), v1::ID_RULE_CONTENT_HASH);
  // Without the id, the content hash.
  absl::StatusOr<v1::Event> anonymous = transcoder.FromBody(
      "redemption.succeeded", R"({"redemption": {"amount": 1}})");
  ASSERT_THAT(anonymous, IsOk());
  EXPECT_EQ(anonymous->id_rule(), v1::ID_RULE_CONTENT_HASH);
}

}  // namespace
}  // namespace vouchstream::testing

// The typed contract for every Voucherify webhook body with a published
// schema (issue 13), checked against one fixture body per event type in
// testdata/voucherify/events/ (written from the spec's schemas; see the
// README there):
//
//   - the type maps to its own `Event.payload` field through the
//     `(vouchstream.v1.event_type)` option, and the payload fields, the
//     documented types and the fixture files are the same 72 types;
//   - the walker (Transcoder::FromBody) types the body with no error, no
//     unknown field and no odd value;
//   - the walker's message equals protobuf's JsonStringToMessage of the same
//     body (the oracle);
//   - message -> JSON -> message is lossless.

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "transcode/event_types.h"
#include "transcode/transcoder.h"

#include "vouchstream/v1/event.pb.h"
#include "vouchstream/v1/options.pb.h"

#include "tests/testing/fixture_events.h"

namespace vouchstream::testing {
namespace {

namespace pb = ::google::protobuf;
using ::testing::IsEmpty;

// The 72 types Voucherify publishes a webhook body schema for
// (voucherify-event-types.md: every row whose `schema` is an EVENTS.* key).
const std::vector<std::string>& DocumentedTypes() {
  static const auto* const kTypes = new std::vector<std::string>{
      "business_validation_rule.assignment.created",
      "business_validation_rule.assignment.deleted",
      "business_validation_rule.created",
      "business_validation_rule.deleted",
      "business_validation_rule.updated",
      "campaign.created",
      "campaign.deleted",
      "campaign.disabled",
      "campaign.enabled",
      "campaign.loyalty_tier.created",
      "campaign.loyalty_tier.deleted",
      "campaign.loyalty_tier.updated",
      "campaign.promotion_tier.created",
      "campaign.promotion_tier.deleted",
      "campaign.promotion_tier.disabled",
      "campaign.promotion_tier.enabled",
      "campaign.promotion_tier.updated",
      "campaign.updated",
      "campaign.vouchers.generation.completed",
      "customer.created",
      "customer.custom_event",
      "customer.deleted",
      "customer.holder.assignment.created",
      "customer.holder.assignment.deleted",
      "customer.loyalty.tier.downgraded",
      "customer.loyalty.tier.joined",
      "customer.loyalty.tier.left",
      "customer.loyalty.tier.prolonged",
      "customer.loyalty.tier.upgraded",
      "customer.order.canceled",
      "customer.order.created",
      "customer.order.paid",
      "customer.order.updated",
      "customer.publication.succeeded",
      "customer.redemption.rollback.succeeded",
      "customer.redemption.succeeded",
      "customer.reward_redemptions.completed",
      "customer.reward_redemptions.created",
      "customer.reward_redemptions.pending",
      "customer.rewarded",
      "customer.rewarded.loyalty_points",
      "customer.segment.entered",
      "customer.segment.left",
      "customer.updated",
      "customer.voucher.gift.balance_added",
      "customer.voucher.loyalty_card.pending_points.activated",
      "customer.voucher.loyalty_card.pending_points.added",
      "customer.voucher.loyalty_card.pending_points.canceled",
      "customer.voucher.loyalty_card.pending_points.updated",
      "customer.voucher.loyalty_card.points_added",
      "customer.voucher.loyalty_card.points_expired",
      "manual_distribution_schedule",
      "publication.succeeded",
      "redemption.failed",
      "redemption.rollback.failed",
      "redemption.rollback.succeeded",
      "redemption.succeeded",
      "voucher.created",
      "voucher.deleted",
      "voucher.disabled",
      "voucher.enabled",
      "voucher.gift.balance_added",
      "voucher.gift.transaction.created",
      "voucher.loyalty_card.pending_points.activated",
      "voucher.loyalty_card.pending_points.added",
      "voucher.loyalty_card.pending_points.canceled",
      "voucher.loyalty_card.pending_points.updated",
      "voucher.loyalty_card.points_added",
      "voucher.loyalty_card.points_expired",
      "voucher.loyalty_card.transaction.created",
      "voucher.published",
      "voucher.updated",
  };
  return *kTypes;
}

std::string EventsDir() { return VS_TESTDATA_DIR "/events"; }

std::string ReadFixture(const std::string& type) {
  std::ifstream in(EventsDir() + "/" + type + ".json", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<const pb::FieldDescriptor*> PayloadFields() {
  const pb::OneofDescriptor& payload =
      *v1::Event::descriptor()->FindOneofByName("payload");
  std::vector<const pb::FieldDescriptor*> fields;
  for (int i = 0; i < payload.field_count(); ++i) {
    fields.push_back(payload.field(i));
  }
  return fields;
}

const std::string& EventTypeOf(const pb::FieldDescriptor& field) {
  return field.options().GetExtension(v1::event_type);
}

TEST(EventTypesTest, EveryPayloadFieldButDataNamesItsType) {
  for (const pb::FieldDescriptor* field : PayloadFields()) {
    if (field->number() == v1::Event::kDataFieldNumber) {
      EXPECT_THAT(EventTypeOf(*field), IsEmpty());
      continue;
    }
    EXPECT_FALSE(EventTypeOf(*field).empty()) << field->name();
    // The field is named after its type.
    std::string expected = EventTypeOf(*field);
    std::replace(expected.begin(), expected.end(), '.', '_');
    EXPECT_EQ(field->name(), expected);
    EXPECT_FALSE(field->options().GetExtension(v1::identifying_field).empty())
        << field->name();
  }
}

TEST(EventTypesTest, NoTwoFieldsShareATypeString) {
  std::set<std::string> seen;
  for (const pb::FieldDescriptor* field : PayloadFields()) {
    if (!EventTypeOf(*field).empty()) {
      EXPECT_TRUE(seen.insert(EventTypeOf(*field)).second)
          << EventTypeOf(*field);
    }
  }
}

TEST(EventTypesTest, TypedFieldsFixturesAndDocumentedTypesAgree) {
  std::vector<std::string> typed;
  for (const pb::FieldDescriptor* field : PayloadFields()) {
    if (!EventTypeOf(*field).empty()) {
      typed.push_back(EventTypeOf(*field));
    }
  }
  std::sort(typed.begin(), typed.end());
  std::vector<std::string> documented = DocumentedTypes();
  std::sort(documented.begin(), documented.end());
  EXPECT_EQ(documented.size(), 72U);
  EXPECT_EQ(typed, documented);
  EXPECT_EQ(FixtureEventTypes(), documented);
}

TEST(EventTypesTest, UntypedTypesStayData) {
  EXPECT_EQ(transcode::TypedPayloadField("customer.confirmed"), nullptr);
  EXPECT_EQ(transcode::TypedPayloadField("campaign.earning_rule.created"),
            nullptr);
  EXPECT_EQ(transcode::TypedPayloadField(""), nullptr);
}

class EventFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EventFixtureTest, MapsToItsTypedField) {
  const pb::FieldDescriptor* field = transcode::TypedPayloadField(GetParam());
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(EventTypeOf(*field), GetParam());
}

TEST_P(EventFixtureTest, WalkerTypesTheWholeBody) {
  const std::string body = ReadFixture(GetParam());
  ASSERT_FALSE(body.empty());
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromBody(GetParam(), body);
  ASSERT_TRUE(event.ok()) << event.status();
  const pb::FieldDescriptor* field = transcode::TypedPayloadField(GetParam());
  ASSERT_NE(field, nullptr);
  EXPECT_TRUE(v1::Event::GetReflection()->HasField(*event, field))
      << "the body fell back to data";
  EXPECT_THAT(event->unknown_fields(), IsEmpty());
  // Nothing was kept as an odd value: the whole body fits its type.
  EXPECT_EQ(event->odd_values_size(), 0)
      << event->odd_values(0).path() << ": " << event->odd_values(0).reason();
}

TEST_P(EventFixtureTest, WalkerAgreesWithJsonStringToMessage) {
  const std::string body = ReadFixture(GetParam());
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromBody(GetParam(), body);
  ASSERT_TRUE(event.ok()) << event.status();
  const pb::FieldDescriptor* field = transcode::TypedPayloadField(GetParam());
  ASSERT_NE(field, nullptr);
  const pb::Message& ours =
      v1::Event::GetReflection()->GetMessage(*event, field);

  std::unique_ptr<pb::Message> oracle(ours.New());
  const auto status = pb::util::JsonStringToMessage(body, oracle.get());
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::string report;
  pb::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(*oracle, ours)) << report;
}

TEST_P(EventFixtureTest, JsonRoundTripIsLossless) {
  const std::string body = ReadFixture(GetParam());
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromBody(GetParam(), body);
  ASSERT_TRUE(event.ok()) << event.status();
  const pb::FieldDescriptor* field = transcode::TypedPayloadField(GetParam());
  ASSERT_NE(field, nullptr);
  const pb::Message& typed =
      v1::Event::GetReflection()->GetMessage(*event, field);

  pb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  std::string json;
  ASSERT_TRUE(pb::util::MessageToJsonString(typed, &json, print).ok());
  std::unique_ptr<pb::Message> back(typed.New());
  ASSERT_TRUE(pb::util::JsonStringToMessage(json, back.get()).ok()) << json;
  std::string report;
  pb::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(typed, *back)) << report;
  // And through the walker again.
  absl::StatusOr<v1::Event> again = transcoder.FromBody(GetParam(), json);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(pb::util::MessageDifferencer::Equals(
      typed, v1::Event::GetReflection()->GetMessage(*again, field)));
}

// The options name real places in the body: the identifying object is a key
// of the body, and the id path leads to a non-empty string.
TEST_P(EventFixtureTest, IdentityOptionsPointIntoTheBody) {
  const std::string body = ReadFixture(GetParam());
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromBody(GetParam(), body);
  ASSERT_TRUE(event.ok()) << event.status();
  const pb::FieldDescriptor* field = transcode::TypedPayloadField(GetParam());
  ASSERT_NE(field, nullptr);
  const pb::Message& typed =
      v1::Event::GetReflection()->GetMessage(*event, field);

  const std::string& identifying =
      field->options().GetExtension(v1::identifying_field);
  const pb::FieldDescriptor* key =
      typed.GetDescriptor()->FindFieldByName(identifying);
  ASSERT_NE(key, nullptr) << identifying;
  if (key->is_repeated()) {
    EXPECT_GT(typed.GetReflection()->FieldSize(typed, key), 0);
  } else {
    EXPECT_TRUE(typed.GetReflection()->HasField(typed, key)) << identifying;
  }

  const std::string path(transcode::EventIdPath(*field));
  if (path.empty()) {
    return;
  }
  const pb::Message* at = &typed;
  const std::vector<std::string> segments = absl::StrSplit(path, '.');
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const pb::FieldDescriptor* step =
        at->GetDescriptor()->FindFieldByName(segments[i]);
    ASSERT_NE(step, nullptr) << path;
    ASSERT_EQ(step->cpp_type(), pb::FieldDescriptor::CPPTYPE_MESSAGE) << path;
    ASSERT_FALSE(step->is_repeated()) << path;
    at = &at->GetReflection()->GetMessage(*at, step);
  }
  const pb::FieldDescriptor* id =
      at->GetDescriptor()->FindFieldByName(segments.back());
  ASSERT_NE(id, nullptr) << path;
  ASSERT_EQ(id->cpp_type(), pb::FieldDescriptor::CPPTYPE_STRING) << path;
  EXPECT_FALSE(at->GetReflection()->GetString(*at, id).empty()) << path;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EventFixtureTest,
                         ::testing::ValuesIn(FixtureEventTypes()),
                         FixtureTestName);

}  // namespace
}  // namespace vouchstream::testing

// Issue 13 (PII by field option) and issue 22 (redaction must not leak):
// "redact": ["pii"] clears every field marked (voucherify.v1.pii) in every
// event family, typed or untyped, and nothing else of the body.

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "service/auth/pii_fields.h"
#include "service/auth/redactor.h"
#include "tests/testing/fixture_events.h"

namespace vouchstream::auth {
namespace {

namespace pb = google::protobuf;

// The paths of the marked fields set in `message`, at any depth.
void MarkedSet(const pb::Message& message, const std::string& at,
               std::vector<std::string>* out) {
  std::vector<const pb::FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    const std::string path = at + "." + field->name();
    if (IsPii(*field)) {
      out->push_back(path);
    } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      const pb::Reflection& reflection = *message.GetReflection();
      if (field->is_repeated()) {
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          MarkedSet(reflection.GetRepeatedMessage(message, field, i), path,
                    out);
        }
      } else {
        MarkedSet(reflection.GetMessage(message, field), path, out);
      }
    }
  }
}

// Clears the marked fields of `message` by visiting every field.
void ClearMarked(pb::Message* message) {
  const pb::Reflection& reflection = *message->GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection.ListFields(*message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (IsPii(*field)) {
      reflection.ClearField(message, field);
    } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection.FieldSize(*message, field); ++i) {
          ClearMarked(reflection.MutableRepeatedMessage(message, field, i));
        }
      } else {
        ClearMarked(reflection.MutableMessage(message, field));
      }
    }
  }
}

// The message set in the event's payload (typed fixtures only).
const pb::Message& Body(const v1::Event& event) {
  const pb::FieldDescriptor* field =
      v1::Event::GetReflection()->GetOneofFieldDescriptor(
          event, v1::Event::descriptor()->FindOneofByName("payload"));
  return v1::Event::GetReflection()->GetMessage(event, field);
}

Redactor PiiRedactor() {
  absl::StatusOr<Redactor> redactor =
      Redactor::Create({std::string(Redactor::kPii)});
  EXPECT_TRUE(redactor.ok()) << redactor.status();
  return redactor.ok() ? *std::move(redactor) : Redactor();
}

class PiiRedactionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PiiRedactionTest, ClearsEveryMarkedFieldOfTheTypedBody) {
  absl::StatusOr<v1::Event> event = testing::FixtureEvent(GetParam());
  ASSERT_TRUE(event.ok()) << event.status();
  v1::Event redacted = *event;
  PiiRedactor().Apply(&redacted);

  std::vector<std::string> left;
  MarkedSet(Body(redacted), "", &left);
  EXPECT_THAT(left, ::testing::IsEmpty());
  EXPECT_TRUE(redacted.raw().empty());

  // Nothing but the marked fields went: clearing them from the original by
  // a plain walk gives the same body.
  std::unique_ptr<pb::Message> expected(Body(*event).New());
  expected->CopyFrom(Body(*event));
  ClearMarked(expected.get());
  std::string report;
  pb::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(*expected, Body(redacted))) << report;
}

// The same body kept untyped (a Struct, as for a type the contract does not
// know, or in `envelope.data`) loses the same values: the Struct paths come
// from the same option.
TEST_P(PiiRedactionTest, ClearsTheSameFieldsOfAnUntypedBody) {
  absl::StatusOr<v1::Event> event = testing::FixtureEvent(GetParam());
  ASSERT_TRUE(event.ok()) << event.status();
  pb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  std::string json;
  ASSERT_TRUE(pb::util::MessageToJsonString(Body(*event), &json, print).ok());

  v1::Event untyped;
  untyped.set_type("x.untyped");
  ASSERT_TRUE(pb::util::JsonStringToMessage(json, untyped.mutable_data()).ok());
  *untyped.mutable_envelope()->mutable_data() = untyped.data();
  PiiRedactor().Apply(&untyped);

  for (const pb::Struct* data : {&untyped.data(), &untyped.envelope().data()}) {
    std::string redacted_json;
    ASSERT_TRUE(pb::util::MessageToJsonString(*data, &redacted_json).ok());
    std::unique_ptr<pb::Message> back(Body(*event).New());
    ASSERT_TRUE(pb::util::JsonStringToMessage(redacted_json, back.get()).ok());
    std::vector<std::string> left;
    MarkedSet(*back, "", &left);
    EXPECT_THAT(left, ::testing::IsEmpty());
  }
}

INSTANTIATE_TEST_SUITE_P(EveryFamily, PiiRedactionTest,
                         ::testing::ValuesIn(testing::FixtureEventTypes()),
                         testing::FixtureTestName);

// The finding of issue 13: explicit paths name one place; "pii" finds the
// customer wherever Voucherify repeats it.
TEST(PiiRedactionTest, FindsTheCustomerRepeatedInsideTheRedemption) {
  absl::StatusOr<v1::Event> event =
      testing::FixtureEvent("redemption.succeeded");
  ASSERT_TRUE(event.ok()) << event.status();
  ASSERT_TRUE(
      event->redemption_succeeded().redemption().customer().has_email());
  v1::Event redacted = *event;
  PiiRedactor().Apply(&redacted);
  const auto& body = redacted.redemption_succeeded();
  EXPECT_FALSE(body.customer().has_email());
  EXPECT_FALSE(body.customer().has_name());
  EXPECT_FALSE(body.redemption().customer().has_email());
  EXPECT_FALSE(body.redemption().customer().has_name());
  // Ids are not personal data: filters and scopes keep working.
  EXPECT_EQ(body.customer().id(),
            event->redemption_succeeded().customer().id());
}

TEST(PiiBodyPathsTest, NameTheCustomerUnderEveryObjectThatRepeatsIt) {
  std::vector<std::string> paths;
  for (const Path& path : PiiBodyPaths()) {
    paths.push_back(JoinPath(path));
  }
  EXPECT_THAT(paths, ::testing::IsSupersetOf(
                         {"customer.email", "customer.address",
                          "redemption.customer.email", "customer.name"}));
  EXPECT_THAT(paths, ::testing::Not(::testing::Contains("customer.id")));
}

}  // namespace
}  // namespace vouchstream::auth

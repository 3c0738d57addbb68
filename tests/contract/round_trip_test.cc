// JSON -> proto -> JSON gives the input back, once nulls and empty lists are
// dropped (proto3 cannot hold either) and the paths reported as unknown are
// removed: whatever the transcoder keeps, it keeps exactly; whatever it
// cannot keep typed, it names. Compared by meaning, not by spelling.

#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "transcode/transcoder.h"

#include "tests/contract/contract_files.h"
#include "tests/contract/json_tree.h"

namespace vouchstream::testing {
namespace {

namespace pb = ::google::protobuf;

std::string ToJson(const pb::Message& message) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  EXPECT_TRUE(pb::util::MessageToJsonString(message, &json, options).ok());
  return json;
}

// What the transcoded `event` says the body was: the envelope header with
// `data` put back from the payload, or the payload alone for a bare body.
pb::Value Reassemble(const v1::Event& event, bool envelope) {
  // Whichever payload member is set: a typed body or `data`.
  const pb::FieldDescriptor* member =
      v1::Event::GetReflection()->GetOneofFieldDescriptor(
          event, v1::Event::descriptor()->FindOneofByName("payload"));
  const pb::Message& payload =
      member != nullptr ? v1::Event::GetReflection()->GetMessage(event, member)
                        : static_cast<const pb::Message&>(event.data());
  absl::StatusOr<pb::Value> body = ParseJsonTree(ToJson(payload));
  EXPECT_TRUE(body.ok()) << body.status();
  if (!envelope) {
    return *body;
  }
  absl::StatusOr<pb::Value> whole = ParseJsonTree(ToJson(event.envelope()));
  EXPECT_TRUE(whole.ok()) << whole.status();
  (*whole->mutable_struct_value()->mutable_fields())["data"] = *body;
  return *whole;
}

void ExpectRoundTrip(const std::string& json, bool envelope,
                     const std::string& type) {
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = envelope ? transcoder.FromEnvelope(json)
                                             : transcoder.FromBody(type, json);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->raw(), json);

  absl::StatusOr<pb::Value> input = ParseJsonTree(json);
  ASSERT_TRUE(input.ok()) << input.status();
  for (const std::string& path : event->unknown_fields()) {
    RemovePath(*input, path);
  }
  DropNullsAndEmptyLists(*input);
  pb::Value output = Reassemble(*event, envelope);
  DropNullsAndEmptyLists(output);

  std::string where;
  EXPECT_TRUE(JsonEquivalent(*input, output, &where))
      << "first difference at " << where;
}

TEST(RoundTripTest, SeedBody) {
  absl::StatusOr<std::string> seed =
      ReadContractFile("publication.succeeded.seed.json");
  ASSERT_TRUE(seed.ok()) << seed.status();
  ExpectRoundTrip(*seed, /*envelope=*/false, "publication.succeeded");
}

TEST(RoundTripTest, VoucherifyEnvelopeExample) {
  absl::StatusOr<std::string> example =
      ReadContractFile("voucher.published.envelope.example.json");
  ASSERT_TRUE(example.ok()) << example.status();
  ExpectRoundTrip(*example, /*envelope=*/true, "");
}

TEST(RoundTripTest, EveryFixture) {
  for (const std::string& name : ListTestdata()) {
    SCOPED_TRACE(name);
    absl::StatusOr<std::string> json = ReadTestdata(name);
    ASSERT_TRUE(json.ok()) << json.status();
    ExpectRoundTrip(*json, absl::StartsWith(name, "envelope."),
                    "publication.succeeded");
  }
}

// The comparison itself must be able to fail, or the tests above prove
// nothing.
TEST(RoundTripTest, ComparisonSeesADroppedValue) {
  absl::StatusOr<pb::Value> a = ParseJsonTree(R"({"a": {"b": 1, "c": "2"}})");
  absl::StatusOr<pb::Value> b = ParseJsonTree(R"({"a": {"b": 1}})");
  absl::StatusOr<pb::Value> c = ParseJsonTree(R"({"a": {"b": "1", "c": 2}})");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  std::string where;
  EXPECT_FALSE(JsonEquivalent(*a, *b, &where));
  EXPECT_EQ(where, "$.a.c: missing on the right");
  EXPECT_TRUE(JsonEquivalent(*a, *c, &where)) << where;
}

}  // namespace
}  // namespace vouchstream::testing

// Every bad input the transcoder may meet gets its own clear error.

#include "gateway/transcoder.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::gateway {
namespace {

using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

constexpr char kType[] = "publication.succeeded";

TEST(TranscoderTest, RefusesBadBodies) {
  struct Case {
    std::string body;
    std::string message;
  };
  const Case kCases[] = {
      {"[]", "root: expected a JSON object (the event body), got array"},
      {"\"text\"", "root: expected a JSON object (the event body), got string"},
      {"42", "root: expected a JSON object (the event body), got number"},
      {"null", "root: expected a JSON object (the event body), got null"},
      {"", "empty body"},
      {"{\"campaign\": {\"name\": \"\xFF\"}}",
       "invalid UTF-8 at byte offset 23"},
      {R"({"campaign": {"active": "yes"}})",
       "campaign.active: expected a boolean, got string"},
      {R"({"publication": {"created_at": "yesterday"}})",
       R"(publication.created_at: invalid Timestamp "yesterday")"},
      {R"({"publication": {"result": "MAYBE"}})",
       R"(publication.result: unknown enum value "MAYBE")"},
      {R"({"vouchers": {"id": "v_1"}})", "vouchers: expected an array"},
      {R"({"vouchers": [{"redemption": {"quantity": "lots"}}]})",
       "vouchers[0].redemption.quantity: expected an integer"},
      {std::string(10000, '[') + std::string(10000, ']'),
       "deeper than 64 levels"},
  };
  Transcoder transcoder;
  for (const Case& c : kCases) {
    EXPECT_THAT(
        transcoder.FromBody(kType, c.body),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.body.substr(0, 80);
  }
}

TEST(TranscoderTest, RefusesBadEnvelopes) {
  struct Case {
    std::string body;
    std::string message;
  };
  const Case kCases[] = {
      {"[1]", "root: expected a JSON object (a webhook envelope), got array"},
      {R"({"id": "whs_1", "data": {}})", "names no event type"},
      {R"({"type": "Not A Type", "data": {}})",
       R"(type: "Not A Type" is not an event type)"},
      {R"({"type": "customer.created"})", "data: missing"},
      {R"({"type": "customer.created", "data": null})", "data: missing"},
      {R"({"type": "customer.created", "data": [1]})",
       "data: expected an object (the event body), got array"},
      {R"({"type": "publication.succeeded", "data": {"user": 5}})",
       "data.user: expected an object (User), got number"},
      {R"({"type": "x.y", "created_at": "2024-01-01", "data": {}})",
       R"(created_at: invalid Timestamp "2024-01-01")"},
      {R"({"event": {"type": 7}, "data": {}})",
       "event.type: expected a string, got number"},
  };
  Transcoder transcoder;
  for (const Case& c : kCases) {
    EXPECT_THAT(
        transcoder.FromEnvelope(c.body),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.body;
  }
}

TEST(TranscoderTest, RefusesBadTypeNames) {
  Transcoder transcoder;
  for (const char* type : {"", "Publication", "a..b", ".a", "a b", "a/b"}) {
    EXPECT_THAT(transcoder.FromBody(type, "{}"),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("is not an event type")))
        << type;
  }
}

TEST(TranscoderTest, TypeFromEventWinsOverFreeTextType) {
  Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromEnvelope(
      R"({"id": "whs_1", "type": "My CRM sync",
          "event": {"id": "evpub_1", "type": "publication.succeeded"},
          "data": {"publication": {"id": "pub_1"}}})");
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(event->type(), "publication.succeeded");
  EXPECT_EQ(event->id(), "evpub_1");
  EXPECT_EQ(event->publication_succeeded().publication().id(), "pub_1");
}

TEST(TranscoderTest, IdFallsBackToEnvelopeIdThenDigest) {
  Transcoder transcoder;
  absl::StatusOr<v1::Event> by_envelope = transcoder.FromEnvelope(
      R"({"id": "whs_1", "type": "customer.created", "data": {}})");
  ASSERT_THAT(by_envelope, IsOk());
  EXPECT_EQ(by_envelope->id(), "whs_1");
  absl::StatusOr<v1::Event> by_digest =
      transcoder.FromEnvelope(R"({"type": "customer.created", "data": {}})");
  ASSERT_THAT(by_digest, IsOk());
  EXPECT_THAT(by_digest->id(), ::testing::StartsWith("sha256:"));
}

TEST(TranscoderTest, UnknownEnvelopeFieldsAreReportedFromTheRoot) {
  Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromEnvelope(
      R"({"type": "publication.succeeded", "format": "v2025",
          "data": {"publication": {"id": "pub_1", "shiny": true}}})");
  ASSERT_THAT(event, IsOk());
  EXPECT_THAT(event->unknown_fields(),
              ::testing::ElementsAre("format", "data.publication.shiny"));
}

TEST(TranscoderTest, AnErrorDoesNotLeakIntoTheNextEvent) {
  Transcoder transcoder;
  EXPECT_THAT(transcoder.FromBody(kType, R"({"x": 1, "user": 3})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("user")));
  absl::StatusOr<v1::Event> event = transcoder.FromBody(kType, R"({"y": 2})");
  ASSERT_THAT(event, IsOk());
  EXPECT_THAT(event->unknown_fields(), ::testing::ElementsAre("y"));
}

}  // namespace
}  // namespace vouchstream::gateway

// Every unreadable input the transcoder may meet gets its own clear error;
// readable bodies with odd values are kept (odd_values_test.cc in
// tests/contract has one case per kind on Voucherify's seed body).

#include "transcode/transcoder.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::transcode {
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
      // An odd routing field is left out like any odd value, and then the
      // envelope names no type.
      {R"({"event": {"type": 7}, "data": {}})", "names no event type"},
      {R"({"type": ["publication.succeeded"], "data": {}})",
       "names no event type"},
  };
  Transcoder transcoder;
  for (const Case& c : kCases) {
    EXPECT_THAT(
        transcoder.FromEnvelope(c.body),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.body;
  }
}

TEST(TranscoderTest, KeepsOddValuesOfBodiesAndEnvelopes) {
  struct Case {
    bool envelope;
    std::string body;
    std::string path;
    std::string reason;
  };
  const Case kCases[] = {
      {false, R"({"campaign": {"active": "yes", "name": "c"}})",
       "campaign.active", "expected a boolean, got string"},
      {false, R"({"publication": {"created_at": "yesterday"}})",
       "publication.created_at",
       R"(invalid Timestamp "yesterday" (want RFC 3339 from year 0001 to )"
       R"(9999, e.g. 2024-02-01T12:54:33.174Z))"},
      {false, R"({"publication": {"result": "MAYBE"}})", "publication.result",
       R"(unknown enum value "MAYBE" for voucherify.v1.Publication.Result)"},
      {false, R"({"vouchers": {"id": "v_1"}})", "vouchers",
       "expected an array, got object"},
      {false, R"({"vouchers": [{"redemption": {"quantity": "lots"}}]})",
       "vouchers[0].redemption.quantity",
       R"(expected an integer, got string "lots")"},
      {true, R"({"type": "publication.succeeded", "data": {"user": 5}})",
       "data.user", "expected an object (User), got number"},
      {true, R"({"type": "x.y", "created_at": "2024-01-01", "data": {}})",
       "created_at",
       R"(invalid Timestamp "2024-01-01" (want RFC 3339 from year 0001 to )"
       R"(9999, e.g. 2024-02-01T12:54:33.174Z))"},
      {true, R"({"type": "x.y", "event": {"id": 5}, "data": {}})", "event.id",
       "expected a string, got number"},
      {true, R"({"type": "x.y", "data": {"a": 1, "a": 2}})", "data.a",
       "duplicate key"},
  };
  Transcoder transcoder;
  for (const Case& c : kCases) {
    absl::StatusOr<v1::Event> event = c.envelope
                                          ? transcoder.FromEnvelope(c.body)
                                          : transcoder.FromBody(kType, c.body);
    ASSERT_THAT(event, IsOk()) << c.body;
    ASSERT_EQ(event->odd_values_size(), 1) << c.body;
    EXPECT_EQ(event->odd_values(0).path(), c.path) << c.body;
    EXPECT_EQ(event->odd_values(0).reason(), c.reason) << c.body;
    EXPECT_THAT(event->unknown_fields(), ::testing::Contains(c.path));
    EXPECT_EQ(event->raw(), c.body);
    EXPECT_FALSE(event->id().empty());
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
  // Refused after an unknown field and an odd value were found.
  EXPECT_THAT(
      transcoder.FromEnvelope(R"({"x": 1, "event": {"type": 3}, "data": {}})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("names no event type")));
  absl::StatusOr<v1::Event> event = transcoder.FromBody(kType, R"({"y": 2})");
  ASSERT_THAT(event, IsOk());
  EXPECT_THAT(event->unknown_fields(), ::testing::ElementsAre("y"));
  EXPECT_THAT(event->odd_values(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace vouchstream::transcode

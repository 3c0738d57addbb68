// "Never refuse what Voucherify sends": Voucherify's seed body with one value
// made odd, as a bare body and in an envelope. The event is accepted, the
// odd value is left out and reported (odd_values and unknown_fields), the
// raw body is kept, and everything else is typed exactly as from the
// unmodified seed.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "transcode/transcoder.h"

#include "vouchstream/v1/event.pb.h"

#include "tests/contract/contract_files.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::testing {
namespace {

using ::testing::Contains;
using ::voucherify::v1::PublicationSucceeded;

constexpr char kType[] = "publication.succeeded";

struct OddCase {
  const char* kind;
  // Replaced once in the seed body (the fixture's own spelling).
  const char* from;
  const char* to;
  // The odd value in the bare body (the envelope's is under "data.").
  const char* path;
  const char* reason;
  // Clears from the seed's payload what the odd value leaves out; nullptr
  // when nothing of the seed is lost (an extra element was made odd).
  void (*left_out)(PublicationSucceeded&);
};

const OddCase kCases[] = {
    {"wrong JSON type for a scalar",
     R"("active": true,
      "object": "voucher")",
     R"("active": "yes",
      "object": "voucher")",
     "vouchers[0].active", "expected a boolean, got string",
     [](PublicationSucceeded& p) { p.mutable_vouchers(0)->clear_active(); }},
    {"wrong JSON type for a message",
     R"("user": {
    "id": "user_ypzfEcSAphSONMGJRlj6trzXKsh7FGX7"
  })",
     R"("user": "user_ypzfEcSAphSONMGJRlj6trzXKsh7FGX7")", "user",
     "expected an object (User), got string",
     [](PublicationSucceeded& p) { p.clear_user(); }},
    {"wrong JSON type for a repeated field",
     R"("vouchers_id": [
      "v_gZt6Zc74XKRv6VXSqubC2jDMfHjzbFPi"
    ])",
     R"("vouchers_id": "v_gZt6Zc74XKRv6VXSqubC2jDMfHjzbFPi")",
     "publication.vouchers_id", "expected an array, got string",
     [](PublicationSucceeded& p) {
       p.mutable_publication()->clear_vouchers_id();
     }},
    {"wrong JSON type for an array element",
     R"("vouchers": [
    {)",
     R"("vouchers": [
    "v_1", {)",
     "vouchers[0]", "expected an object (Voucher), got string", nullptr},
    {"wrong JSON type for a Struct",
     R"("metadata": {
      "method": "manual"
    })",
     R"("metadata": "manual")", "publication.metadata",
     "expected an object, got string",
     [](PublicationSucceeded& p) {
       p.mutable_publication()->clear_metadata();
     }},
    {"enum value not in the enum", R"("result": "SUCCESS")",
     R"("result": "PARTIAL")", "publication.result",
     R"(unknown enum value "PARTIAL" for voucherify.v1.Publication.Result)",
     [](PublicationSucceeded& p) { p.mutable_publication()->clear_result(); }},
    {"non-integral number in an integer field", R"("redeemed_quantity": 5)",
     R"("redeemed_quantity": 1.5)", "vouchers[0].redemption.redeemed_quantity",
     "expected an integer, got 1.5",
     [](PublicationSucceeded& p) {
       p.mutable_vouchers(0)->mutable_redemption()->clear_redeemed_quantity();
     }},
    {"number that a double reads as 0", R"("redeemed_quantity": 5)",
     R"("redeemed_quantity": 1e-400)",
     "vouchers[0].redemption.redeemed_quantity",
     "expected an integer, got 1e-400",
     [](PublicationSucceeded& p) {
       p.mutable_vouchers(0)->mutable_redemption()->clear_redeemed_quantity();
     }},
    {"integer out of range", R"("length": 1)", R"("length": 2147483648)",
     "campaign.voucher.code_config.length",
     "integer 2147483648 is out of range",
     [](PublicationSucceeded& p) {
       p.mutable_campaign()
           ->mutable_voucher()
           ->mutable_code_config()
           ->clear_length();
     }},
    {"integer as a non-numeric string", R"("redeemed_quantity": 5)",
     R"("redeemed_quantity": "five")",
     "vouchers[0].redemption.redeemed_quantity",
     R"(expected an integer, got string "five")",
     [](PublicationSucceeded& p) {
       p.mutable_vouchers(0)->mutable_redemption()->clear_redeemed_quantity();
     }},
    {"malformed timestamp", R"("created_at": "2024-02-01T12:54:33.174Z")",
     R"("created_at": "01/02/2024 12:54")", "publication.created_at",
     R"(invalid Timestamp "01/02/2024 12:54" (want RFC 3339 from year 0001 )"
     R"(to 9999, e.g. 2024-02-01T12:54:33.174Z))",
     [](PublicationSucceeded& p) {
       p.mutable_publication()->clear_created_at();
     }},
};

std::string Replaced(const std::string& seed, const OddCase& c) {
  EXPECT_EQ(absl::StrReplaceAll(seed, {{c.from, ""}}).size(),
            seed.size() - std::string(c.from).size())
      << c.kind << ": the fixture must hold `from` exactly once";
  return absl::StrReplaceAll(seed, {{c.from, c.to}});
}

std::string Envelope(const std::string& body) {
  return absl::StrCat(
      R"({"id": "whs_1", "type": "publication.succeeded", "event": )"
      R"({"id": "evpub_1", "type": "publication.succeeded"}, "data": )",
      body, "}");
}

void ExpectKept(const absl::StatusOr<v1::Event>& event, const std::string& body,
                const std::string& path, const OddCase& c,
                const PublicationSucceeded& seed_payload) {
  ASSERT_THAT(event, IsOk()) << c.kind;
  ASSERT_EQ(event->odd_values_size(), 1) << c.kind;
  EXPECT_EQ(event->odd_values(0).path(), path) << c.kind;
  EXPECT_EQ(event->odd_values(0).reason(), c.reason) << c.kind;
  EXPECT_THAT(event->unknown_fields(), Contains(path)) << c.kind;
  EXPECT_EQ(event->raw(), body) << c.kind;
  EXPECT_EQ(event->type(), kType);

  PublicationSucceeded expected = seed_payload;
  if (c.left_out != nullptr) {
    c.left_out(expected);
    // The case must take something away, or "left out" proves nothing.
    EXPECT_FALSE(google::protobuf::util::MessageDifferencer::Equals(
        expected, seed_payload))
        << c.kind;
  }
  std::string report;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(expected, event->publication_succeeded()))
      << c.kind << ": " << report;
}

TEST(OddValuesTest, SeedBodyWithOneOddValueIsKeptAndTypedElsewhere) {
  absl::StatusOr<std::string> seed =
      ReadContractFile("publication.succeeded.seed.json");
  ASSERT_THAT(seed, IsOk());
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> clean = transcoder.FromBody(kType, *seed);
  ASSERT_THAT(clean, IsOk());
  ASSERT_EQ(clean->odd_values_size(), 0);
  for (const OddCase& c : kCases) {
    const std::string body = Replaced(*seed, c);
    ExpectKept(transcoder.FromBody(kType, body), body, c.path, c,
               clean->publication_succeeded());
  }
}

TEST(OddValuesTest, EnvelopeWithOneOddValueIsKeptAndTypedElsewhere) {
  absl::StatusOr<std::string> seed =
      ReadContractFile("publication.succeeded.seed.json");
  ASSERT_THAT(seed, IsOk());
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> clean = transcoder.FromEnvelope(Envelope(*seed));
  ASSERT_THAT(clean, IsOk());
  ASSERT_EQ(clean->odd_values_size(), 0);
  for (const OddCase& c : kCases) {
    const std::string body = Envelope(Replaced(*seed, c));
    absl::StatusOr<v1::Event> event = transcoder.FromEnvelope(body);
    ExpectKept(event, body, absl::StrCat("data.", c.path), c,
               clean->publication_succeeded());
    if (event.ok()) {
      EXPECT_EQ(event->id(), "evpub_1") << c.kind;
    }
  }
}

}  // namespace
}  // namespace vouchstream::testing

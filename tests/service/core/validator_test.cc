#include "service/core/validator.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "service/core/bad_request.h"
#include "tests/service/core/seed_event.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::core {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::vouchstream::core::testing::SeedEvent;
using ::vouchstream::core::testing::SeedPublicationTime;
using ::vouchstream::core::testing::SetTime;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

std::vector<std::string> Fields(const std::vector<v1::FieldViolation>& v) {
  std::vector<std::string> fields;
  fields.reserve(v.size());
  for (const v1::FieldViolation& violation : v) {
    fields.push_back(violation.field());
  }
  return fields;
}

voucherify::v1::PublicationSucceeded& Body(v1::Event* event) {
  return *event->mutable_publication_succeeded();
}
voucherify::v1::Voucher& FirstVoucher(v1::Event* event) {
  return *Body(event).mutable_vouchers(0);
}

// The seed's voucher id.
constexpr char kVoucher[] = "v_gZt6Zc74XKRv6VXSqubC2jDMfHjzbFPi";

struct RuleCase {
  const char* name;
  std::function<void(v1::Event*)> mutate;
  // The fields expected to be reported, in order; empty = valid.
  std::vector<std::string> fields;
};

const absl::Time kReceived = SeedPublicationTime() + absl::Seconds(1);

const RuleCase kRuleCases[] = {
    {"Seed", [](v1::Event*) {}, {}},

    // Generic rules.
    {"IdMissing", [](v1::Event* e) { e->clear_id(); }, {"id"}},
    {"TypeMissing", [](v1::Event* e) { e->clear_type(); }, {"type"}},
    {"TypeMalformed",
     [](v1::Event* e) { e->set_type("../../etc/passwd"); },
     {"type"}},
    {"ReceivedAtMissing",
     [](v1::Event* e) { e->clear_received_at(); },
     {"received_at"}},
    {"EnvelopeIdGood",
     [](v1::Event* e) { e->mutable_envelope()->set_id("whs_abc-DEF_1"); },
     {}},
    {"EnvelopeIdBadPrefix",
     [](v1::Event* e) { e->mutable_envelope()->set_id("wh_abc"); },
     {"envelope.id"}},
    {"EnvelopeIdNoTail",
     [](v1::Event* e) { e->mutable_envelope()->set_id("whs_"); },
     {"envelope.id"}},
    {"EnvelopeAbsentIsFine", [](v1::Event* e) { e->clear_envelope(); }, {}},
    {"EventIdWithoutKindLetters",
     [](v1::Event* e) {
       e->mutable_envelope()->mutable_event()->set_id("ev_123");
     },
     {}},
    {"EventIdBad",
     [](v1::Event* e) {
       e->mutable_envelope()->mutable_event()->set_id("evt-123");
     },
     {"envelope.event.id"}},
    {"EventSourceUserIdBad",
     [](v1::Event* e) {
       e->mutable_envelope()
           ->mutable_event()
           ->mutable_event_source()
           ->mutable_user()
           ->set_id("usr_1");
     },
     {"envelope.event.event_source.user.id"}},
    {"EnvelopeCreatedWithinSkew",
     [](v1::Event* e) {
       SetTime(kReceived + absl::Minutes(9),
               e->mutable_envelope()->mutable_created_at());
     },
     {}},
    {"EnvelopeCreatedInFuture",
     [](v1::Event* e) {
       SetTime(kReceived + absl::Minutes(11),
               e->mutable_envelope()->mutable_created_at());
     },
     {"envelope.created_at"}},
    {"EventCreatedBeforeEarliest",
     [](v1::Event* e) {
       SetTime(absl::FromUnixSeconds(1000000000),
               e->mutable_envelope()->mutable_event()->mutable_created_at());
     },
     {"envelope.event.created_at"}},

    // publication.succeeded: required fields.
    {"PublicationIdMissing",
     [](v1::Event* e) { Body(e).mutable_publication()->clear_id(); },
     {"publication.id"}},
    {"PublicationCustomerIdMissing",
     [](v1::Event* e) { Body(e).mutable_publication()->clear_customer_id(); },
     {"publication.customer_id"}},
    {"CustomerIdMissing",
     [](v1::Event* e) { Body(e).mutable_customer()->clear_id(); },
     {"customer.id"}},
    {"CampaignIdMissing",
     [](v1::Event* e) { Body(e).mutable_campaign()->clear_id(); },
     {"campaign.id"}},
    {"NoVoucherAtAll",
     [](v1::Event* e) { Body(e).clear_vouchers(); },
     {"vouchers", "publication.vouchers_id"}},
    {"SingularVoucherOnly",
     [](v1::Event* e) {
       *Body(e).mutable_voucher() = Body(e).vouchers(0);
       Body(e).clear_vouchers();
     },
     {}},
    {"SingularVoucherAlsoInList",
     [](v1::Event* e) { *Body(e).mutable_voucher() = Body(e).vouchers(0); },
     {}},
    {"VoucherIdMissing",
     [](v1::Event* e) {
       FirstVoucher(e).clear_id();
       Body(e).mutable_publication()->clear_vouchers_id();
     },
     {"vouchers[0].id"}},
    {"VoucherCodeMissing",
     [](v1::Event* e) { FirstVoucher(e).clear_code(); },
     {"vouchers[0].code"}},

    // Id formats.
    {"PublicationIdBad",
     [](v1::Event* e) { Body(e).mutable_publication()->set_id("p_1"); },
     {"publication.id"}},
    {"CustomerIdBadEverywhere",
     [](v1::Event* e) {
       Body(e).mutable_customer()->set_id("c_1");
       Body(e).mutable_publication()->set_customer_id("c_1");
       Body(e).mutable_publication()->mutable_customer()->set_id("c_1");
       FirstVoucher(e).set_holder_id("c_1");
     },
     // Every Customer object is checked, the publication's own too.
     {"customer.id", "publication.customer_id", "publication.customer.id"}},
    {"CampaignIdBad",
     [](v1::Event* e) {
       Body(e).mutable_campaign()->set_id("cmp_1");
       FirstVoucher(e).set_campaign_id("cmp_1");
     },
     {"campaign.id"}},
    {"UserIdBad",
     [](v1::Event* e) { Body(e).mutable_user()->set_id("u_1"); },
     {"user.id"}},
    {"VoucherIdBad",
     [](v1::Event* e) {
       FirstVoucher(e).set_id("vou_1");
       Body(e).mutable_publication()->set_vouchers_id(0, "vou_1");
     },
     {"vouchers[0].id"}},

    // Emails.
    {"CustomerEmailGood",
     [](v1::Event* e) {
       Body(e).mutable_customer()->set_email("jack.webhook+1@mail.example.co");
     },
     {}},
    {"CustomerEmailBad",
     [](v1::Event* e) {
       Body(e).mutable_customer()->set_email("jack at example.com");
     },
     {"customer.email"}},
    {"CustomerEmailWithoutDomainDot",
     [](v1::Event* e) { Body(e).mutable_customer()->set_email("jack@local"); },
     {"customer.email"}},
    {"PublicationCustomerEmailBad",
     [](v1::Event* e) {
       Body(e).mutable_publication()->mutable_customer()->set_email("a@@b.c");
     },
     {"publication.customer.email"}},
    {"UserEmailBad",
     [](v1::Event* e) { Body(e).mutable_user()->set_email("@example.com"); },
     {"user.email"}},

    // Timestamps.
    {"PublicationCreatedInFuture",
     [](v1::Event* e) {
       SetTime(kReceived + absl::Hours(1),
               Body(e).mutable_publication()->mutable_created_at());
     },
     {"publication.created_at"}},
    {"CampaignCreatedBeforeEarliest",
     [](v1::Event* e) {
       SetTime(absl::FromUnixSeconds(0),
               Body(e).mutable_campaign()->mutable_created_at());
     },
     {"campaign.created_at"}},
    {"CustomerCreatedInFuture",
     [](v1::Event* e) {
       SetTime(kReceived + absl::Hours(24),
               Body(e).mutable_customer()->mutable_created_at());
     },
     {"customer.created_at"}},
    {"VoucherCreatedInFuture",
     [](v1::Event* e) {
       SetTime(kReceived + absl::Hours(1),
               FirstVoucher(e).mutable_created_at());
     },
     {"vouchers[0].created_at"}},

    // Cross-field consistency.
    {"PublicationCustomerIdDiffers",
     [](v1::Event* e) {
       Body(e).mutable_publication()->set_customer_id("cust_other");
     },
     {"publication.customer_id"}},
    {"PublicationCustomerDiffers",
     [](v1::Event* e) {
       Body(e).mutable_publication()->mutable_customer()->set_id("cust_other");
     },
     {"publication.customer.id"}},
    {"VouchersIdDiffers",
     [](v1::Event* e) {
       Body(e).mutable_publication()->set_vouchers_id(0, "v_other");
     },
     {"publication.vouchers_id"}},
    {"VouchersIdInAnotherOrder",
     [](v1::Event* e) {
       voucherify::v1::Voucher* second = Body(e).add_vouchers();
       *second = Body(e).vouchers(0);
       second->set_id("v_second");
       Body(e).mutable_publication()->clear_vouchers_id();
       Body(e).mutable_publication()->add_vouchers_id("v_second");
       Body(e).mutable_publication()->add_vouchers_id(kVoucher);
     },
     {}},
    {"VouchersIdAbsentIsFine",
     [](v1::Event* e) { Body(e).mutable_publication()->clear_vouchers_id(); },
     {}},
    {"VoucherOfAnotherCampaign",
     [](v1::Event* e) { FirstVoucher(e).set_campaign_id("camp_other"); },
     {"vouchers[0].campaign_id"}},
    {"VoucherOfAnotherHolder",
     [](v1::Event* e) { FirstVoucher(e).set_holder_id("cust_other"); },
     {"vouchers[0].holder_id"}},
    {"SingularVoucherOfAnotherHolder",
     [](v1::Event* e) {
       voucherify::v1::Voucher& single = *Body(e).mutable_voucher();
       single = Body(e).vouchers(0);
       single.set_id("v_single");
       single.set_holder_id("cust_other");
       Body(e).mutable_publication()->add_vouchers_id("v_single");
     },
     {"voucher.holder_id"}},

    // Real data's quirks are not failures.
    {"CodeNotMatchingConfig",
     [](v1::Event* e) { FirstVoucher(e).set_code("IMPORTED-1234"); },
     {}},
    {"UserAbsent", [](v1::Event* e) { Body(e).clear_user(); }, {}},
    {"UnknownFields",
     [](v1::Event* e) { e->add_unknown_fields("data.vouchers[0].assets"); },
     {}},
    {"EmailNullInSeed",
     [](v1::Event* e) { Body(e).mutable_customer()->clear_email(); },
     {}},
};

class ValidatorRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(ValidatorRuleTest, ReportsExactlyTheExpectedFields) {
  v1::Event event = SeedEvent();
  GetParam().mutate(&event);
  EXPECT_THAT(Fields(Validator().Check(event)),
              ElementsAreArray(GetParam().fields));
}

INSTANTIATE_TEST_SUITE_P(Rules, ValidatorRuleTest,
                         ::testing::ValuesIn(kRuleCases),
                         [](const auto& info) { return info.param.name; });

TEST(ValidatorTest, SeedIsValid) {
  EXPECT_THAT(Validator().Check(SeedEvent()), IsEmpty());
  EXPECT_THAT(Validator().Validate(SeedEvent()), IsOk());
}

// The event and publication table first, then the objects' rules
// (object_rules.h) in the body's order, then each voucher's table rules.
TEST(ValidatorTest, ListsEveryViolationInTableOrder) {
  v1::Event event = SeedEvent();
  event.mutable_envelope()->set_id("bogus");
  Body(&event).mutable_publication()->set_customer_id("cust_other");
  Body(&event).mutable_customer()->set_email("not an email");
  FirstVoucher(&event).clear_code();
  FirstVoucher(&event).set_holder_id("cust_third");
  EXPECT_THAT(Fields(Validator().Check(event)),
              ElementsAreArray({"envelope.id", "publication.customer_id",
                                "customer.email", "vouchers[0].code",
                                "vouchers[0].holder_id"}));
}

TEST(ValidatorTest, ValidateCarriesAllViolationsAsBadRequest) {
  v1::Event event = SeedEvent();
  Body(&event).mutable_customer()->set_id("cust_other");
  const absl::Status status = Validator().Validate(event);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("publication.customer_id: must equal "
                                         "customer.id (and 2 more)")));
  EXPECT_THAT(
      Fields(FieldViolationsOf(status)),
      ElementsAreArray({"publication.customer_id", "publication.customer.id",
                        "vouchers[0].holder_id"}));
}

TEST(ValidatorTest, UntypedEventsGetOnlyTheGenericRules) {
  v1::Event event;
  event.set_id("evred_2Lx0QpA");
  event.set_type("redemption.succeeded");
  SetTime(kReceived, event.mutable_received_at());
  event.mutable_envelope()->set_id("whs_r3d3mpt10n");
  (*event.mutable_data()->mutable_fields())["customer"].set_string_value("x");
  EXPECT_THAT(Validator().Check(event), IsEmpty());

  event.mutable_envelope()->set_id("r3d3mpt10n");
  event.clear_type();
  EXPECT_THAT(Fields(Validator().Check(event)),
              ElementsAreArray({"type", "envelope.id"}));
}

TEST(ValidatorTest, AdmitRefusesOnlyAMalformedType) {
  v1::Event event = SeedEvent();
  EXPECT_THAT(Validator::Admit(event), IsOk());
  event.clear_type();  // Check reports it; the event may be quarantined.
  EXPECT_THAT(Validator::Admit(event), IsOk());
  event.set_type("../../etc/passwd");
  const absl::Status status = Validator::Admit(event);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("type: must be dot-separated words")));
  EXPECT_THAT(Fields(FieldViolationsOf(status)), ElementsAreArray({"type"}));
}

TEST(ValidatorTest, ClockSkewIsAnOption) {
  v1::Event event = SeedEvent();
  SetTime(kReceived + absl::Minutes(5),
          Body(&event).mutable_publication()->mutable_created_at());
  Validator::Options strict;
  strict.max_clock_skew = absl::Minutes(1);
  EXPECT_THAT(Validator().Check(event), IsEmpty());
  EXPECT_THAT(Fields(Validator(strict).Check(event)),
              ElementsAreArray({"publication.created_at"}));
}

}  // namespace
}  // namespace vouchstream::core

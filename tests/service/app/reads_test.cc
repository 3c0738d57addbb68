// Reads, cursors and subscription plans without a server
// (service/app/{reads,cursors,subscriptions,page_token}.h): paging with
// tokens, narrowing to the reader's scope, redaction, per-principal cursor
// names.

#include "service/app/reads.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "service/app/cursors.h"
#include "service/app/page_token.h"
#include "service/app/subscriptions.h"
#include "service/core/bad_request.h"
#include "tests/service/app/app_fixture.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

std::vector<std::string> Ids(const v1::ListEventsResponse& response) {
  std::vector<std::string> ids;
  for (const v1::Event& event : response.events()) {
    ids.push_back(event.id());
  }
  return ids;
}

std::string CustomerId(const v1::Event& event) {
  const auto& fields = event.data().fields();
  auto customer = fields.find("customer");
  if (customer == fields.end()) {
    return "";
  }
  const auto& inner = customer->second.struct_value().fields();
  auto id = inner.find("id");
  return id == inner.end() ? "" : id->second.string_value();
}

class ReadsTest : public AppFixture {
 protected:
  void SetUp() override {
    AppFixture::SetUp();
    // seq 1..5: vouchers and redemptions, alternating.
    for (int i = 1; i <= 5; ++i) {
      const std::string type =
          i % 2 == 1 ? "voucher.published" : "redemption.succeeded";
      ASSERT_THAT(Publish(Untyped("ev_" + std::to_string(i), type, "camp_a",
                                  "cust_" + std::to_string(i)))
                      .status(),
                  IsOk());
    }
  }

  Reads reads() const {
    Reads::Options options;
    options.default_page_size = 2;
    return Reads(log_.get(), options);
  }
};

TEST_F(ReadsTest, ListEventsPagesWithTokensUntilTheLogEnds) {
  const auto everyone = auth::Principal::Anonymous();
  v1::ListEventsRequest request;
  std::vector<std::vector<std::string>> pages;
  for (int page = 0; page < 4; ++page) {
    v1::ListEventsResponse response;
    ASSERT_THAT(reads().ListEvents(*everyone, request, &response), IsOk());
    pages.push_back(Ids(response));
    if (response.next_page_token().empty()) {
      break;
    }
    request.set_page_token(response.next_page_token());
  }
  EXPECT_THAT(pages,
              ElementsAre(ElementsAre("ev_1", "ev_2"),
                          ElementsAre("ev_3", "ev_4"), ElementsAre("ev_5")));
}

TEST_F(ReadsTest, AForgedPageTokenIsRefused) {
  v1::ListEventsRequest request;
  request.set_page_token("after-3");
  v1::ListEventsResponse response;
  EXPECT_THAT(
      reads().ListEvents(*auth::Principal::Anonymous(), request, &response),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_EQ(ParsePageToken("page_token", MakePageToken(42)).value_or(0), 42u);
}

TEST_F(ReadsTest, AReaderSeesOnlyItsScopeAndNothingBeyondIt) {
  const auto vouchers = Reader("crm", {"voucher.*"});
  v1::ListEventsRequest request;
  request.set_page_size(10);
  v1::ListEventsResponse response;
  ASSERT_THAT(reads().ListEvents(*vouchers, request, &response), IsOk());
  EXPECT_THAT(Ids(response), ElementsAre("ev_1", "ev_3", "ev_5"));

  request.mutable_filter()->add_types("redemption.*");
  v1::ListEventsResponse refused;
  EXPECT_THAT(reads().ListEvents(*vouchers, request, &refused),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("subscribe.event_types")));

  // A redemption is answered exactly as a seq that does not exist.
  v1::GetEventRequest get;
  get.set_seq(2);
  auto outside = reads().GetEvent(*vouchers, get);
  get.set_seq(99);
  auto missing = reads().GetEvent(*vouchers, get);
  EXPECT_THAT(outside.status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(missing.status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_EQ(outside.status().message(), "event seq 2 not found");
  get.set_seq(3);
  auto inside = reads().GetEvent(*vouchers, get);
  ASSERT_THAT(inside.status(), IsOk());
  EXPECT_EQ(inside->id(), "ev_3");

  EXPECT_THAT(reads().GetEvent(*vouchers, v1::GetEventRequest()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key")));
}

TEST_F(ReadsTest, ReadsAreRedactedForTheReaderAndTheStoreKeepsTheValue) {
  const auto redacting = Reader("crm", {}, {"customer.id"});
  v1::GetEventRequest get;
  get.set_id("ev_1");
  get.set_type("voucher.published");
  auto event = reads().GetEvent(*redacting, get);
  ASSERT_THAT(event.status(), IsOk());
  EXPECT_EQ(CustomerId(*event), "");

  v1::ListEventsResponse page;
  ASSERT_THAT(reads().ListEvents(*redacting, v1::ListEventsRequest(), &page),
              IsOk());
  ASSERT_GT(page.events_size(), 0);
  EXPECT_EQ(CustomerId(page.events(0)), "");

  EXPECT_EQ(CustomerId(*log_->GetBySeq(1)), "cust_1");
}

TEST_F(ReadsTest, ListQuarantinedPagesAndRedacts) {
  for (const char* id : {"bad_1", "bad_2", "bad_3"}) {
    ASSERT_THAT(Publish(Invalid(id)).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  }
  const auto admin = Reader("ops", {}, {"customer.id"});
  v1::ListQuarantinedRequest request;
  v1::ListQuarantinedResponse first;
  ASSERT_THAT(reads().ListQuarantined(*admin, request, &first), IsOk());
  ASSERT_EQ(first.events_size(), 2);
  EXPECT_EQ(first.events(0).event().id(), "bad_1");
  EXPECT_EQ(CustomerId(first.events(0).event()), "");
  ASSERT_FALSE(first.next_page_token().empty());

  request.set_page_token(first.next_page_token());
  v1::ListQuarantinedResponse second;
  ASSERT_THAT(reads().ListQuarantined(*admin, request, &second), IsOk());
  ASSERT_EQ(second.events_size(), 1);
  EXPECT_EQ(second.events(0).event().id(), "bad_3");
  EXPECT_THAT(second.next_page_token(), IsEmpty());
}

TEST_F(ReadsTest, CursorNamesArePerPrincipalWithAccessControl) {
  const Cursors cursors(log_.get(), /*per_principal=*/true);
  const auto crm = Reader("crm", {});
  const auto ops = Reader("ops", {});
  ASSERT_THAT(cursors.Save(*crm, "billing", 2), IsOk());
  EXPECT_EQ(cursors.Get(*crm, "billing").value_or(0), 2u);
  EXPECT_THAT(cursors.Get(*ops, "billing").status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_EQ(log_->GetCursor("crm/billing").value_or(0), 2u);

  const Cursors shared(log_.get(), /*per_principal=*/false);
  ASSERT_THAT(shared.Save(*ops, "billing", 4), IsOk());
  EXPECT_EQ(shared.Get(*crm, "billing").value_or(0), 4u);
}

TEST_F(ReadsTest, CursorSavesPastTheLogOrUnderBadNamesAreRefused) {
  const Cursors cursors(log_.get(), true);
  const auto crm = Reader("crm", {});
  absl::Status past = cursors.Save(*crm, "billing", 6);
  EXPECT_THAT(past, StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  ASSERT_EQ(core::FieldViolationsOf(past).size(), 1u);
  EXPECT_EQ(core::FieldViolationsOf(past)[0].field(), "seq");
  EXPECT_THAT(cursors.Save(*crm, "bad/name", 1),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(cursors.Get(*crm, "").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST_F(ReadsTest, ASubscriptionPlanResumesNarrowsAndDefaults) {
  const Cursors cursors(log_.get(), true);
  const Subscriptions subscriptions(&cursors, absl::Seconds(7));
  const auto vouchers = Reader("crm", {"voucher.*"});
  ASSERT_THAT(cursors.Save(*vouchers, "billing", 3), IsOk());

  v1::SubscribeRequest request;
  request.set_consumer("billing");
  auto plan = subscriptions.Plan(*vouchers, request);
  ASSERT_THAT(plan.status(), IsOk());
  EXPECT_EQ(plan->start.kind, core::StartPosition::Kind::kAfterSeq);
  EXPECT_EQ(plan->start.seq, 3u);
  EXPECT_EQ(plan->heartbeat, absl::Seconds(7));
  EXPECT_THAT(plan->filter.types(), ElementsAre("voucher.*"));

  // An explicit start wins over the cursor; a consumer never saved starts
  // at the earliest event.
  request.set_after_seq(1);
  request.set_heartbeat_seconds(2);
  plan = subscriptions.Plan(*vouchers, request);
  ASSERT_THAT(plan.status(), IsOk());
  EXPECT_EQ(plan->start.seq, 1u);
  EXPECT_EQ(plan->heartbeat, absl::Seconds(2));
  request.clear_after_seq();
  request.set_consumer("never-saved");
  plan = subscriptions.Plan(*vouchers, request);
  ASSERT_THAT(plan.status(), IsOk());
  EXPECT_EQ(plan->start.kind, core::StartPosition::Kind::kEarliest);

  request.mutable_filter()->add_types("redemption.succeeded");
  EXPECT_THAT(subscriptions.Plan(*vouchers, request).status(),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
}

TEST_F(ReadsTest, TheSubscriberViewRedactsACopyAndSharesTheRest) {
  const v1::Event shared = *log_->GetBySeq(1);
  v1::Event copy;
  const auto plain = Reader("a", {});
  EXPECT_EQ(&Subscriptions::View(*plain, shared, &copy), &shared);
  const auto redacting = Reader("b", {}, {"customer.id"});
  const v1::Event& view = Subscriptions::View(*redacting, shared, &copy);
  EXPECT_EQ(&view, &copy);
  EXPECT_EQ(CustomerId(view), "");
  EXPECT_EQ(CustomerId(shared), "cust_1");
}

}  // namespace
}  // namespace vouchstream::app

// What each scope allows, and how a filter is narrowed to a scope.

#include "service/auth/scope_check.h"

#include <string>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

#include "service/auth/auth_errors.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

Principal Crm() {
  Principal crm;
  crm.name = "crm";
  crm.subscribe.emplace();
  crm.subscribe->event_types = {"publication.*"};
  crm.subscribe->campaign_ids = {"camp_1"};
  return crm;
}

std::string ScopeOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorInfoUrl);
  google::rpc::ErrorInfo info;
  if (!payload.has_value() || !info.ParseFromString(std::string(*payload))) {
    return "";
  }
  return info.metadata().at("scope");
}

TEST(ScopeCheckTest, EachRpcNeedsItsScope) {
  Principal publisher;
  publisher.name = "gateway";
  publisher.publish = true;
  EXPECT_THAT(RequirePublish(publisher), IsOk());
  EXPECT_EQ(ScopeOf(RequireSubscribe(publisher)), "subscribe");
  EXPECT_EQ(ScopeOf(RequireAdmin(publisher)), "admin");
  EXPECT_THAT(RequireAdmin(publisher),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("\"gateway\" lacks scope admin")));
  EXPECT_EQ(ScopeOf(RequirePublish(Crm())), "publish");
  EXPECT_THAT(RequireSubscribe(Crm()), IsOk());
}

TEST(ScopeCheckTest, AnEmptyFilterIsNarrowedToTheScope) {
  absl::StatusOr<v1::EventFilter> filter = ScopeFilter(Crm(), {});
  ASSERT_THAT(filter.status(), IsOk());
  EXPECT_THAT(filter->types(), ElementsAre("publication.*"));
  EXPECT_THAT(filter->campaign_ids(), ElementsAre("camp_1"));
}

TEST(ScopeCheckTest, AFilterWithinTheScopeStays) {
  v1::EventFilter requested;
  requested.add_types("publication.succeeded");
  requested.add_types("publication.succ*");
  requested.add_types("publication.*");
  requested.add_customer_ids("cust_1");
  absl::StatusOr<v1::EventFilter> filter = ScopeFilter(Crm(), requested);
  ASSERT_THAT(filter.status(), IsOk());
  EXPECT_THAT(filter->types(),
              ElementsAre("publication.succeeded", "publication.succ*",
                          "publication.*"));
  EXPECT_THAT(filter->campaign_ids(), ElementsAre("camp_1"));
  EXPECT_THAT(filter->customer_ids(), ElementsAre("cust_1"));
}

TEST(ScopeCheckTest, AFilterBeyondTheScopeIsRefusedNamingTheScope) {
  for (const char* type : {"redemption.succeeded", "redemption.*", "*",
                           "publication*", "*.succeeded"}) {
    SCOPED_TRACE(type);
    v1::EventFilter requested;
    requested.add_types(type);
    const absl::Status status = ScopeFilter(Crm(), requested).status();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied,
                                 HasSubstr("subscribe.event_types")));
    EXPECT_EQ(ScopeOf(status), "subscribe.event_types");
  }
  v1::EventFilter other_campaign;
  other_campaign.add_campaign_ids("camp_2");
  EXPECT_EQ(ScopeOf(ScopeFilter(Crm(), other_campaign).status()),
            "subscribe.campaign_ids");
}

TEST(ScopeCheckTest, AnUnlimitedScopeKeepsTheFilter) {
  Principal ops;
  ops.name = "ops";
  ops.subscribe.emplace();
  v1::EventFilter requested;
  requested.add_types("redemption.*");
  absl::StatusOr<v1::EventFilter> filter = ScopeFilter(ops, requested);
  ASSERT_THAT(filter.status(), IsOk());
  EXPECT_THAT(filter->types(), ElementsAre("redemption.*"));
  EXPECT_TRUE(filter->campaign_ids().empty());
}

TEST(ScopeCheckTest, InScopeChecksTypeAndCampaign) {
  v1::Event event;
  event.set_type("publication.succeeded");
  event.mutable_enrichment()->set_campaign_id("camp_1");
  EXPECT_TRUE(InScope(Crm(), event));
  event.mutable_enrichment()->set_campaign_id("camp_2");
  EXPECT_FALSE(InScope(Crm(), event));
  event.mutable_enrichment()->set_campaign_id("camp_1");
  event.set_type("redemption.succeeded");
  EXPECT_FALSE(InScope(Crm(), event));
  Principal publisher;
  publisher.publish = true;
  EXPECT_FALSE(InScope(publisher, event));
}

}  // namespace
}  // namespace vouchstream::auth

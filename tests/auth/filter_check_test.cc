// Issue 22: a filter on a path redacted for the caller is refused, naming
// the path; criteria that read nothing redacted still work.

#include "service/auth/filter_check.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

#include "service/auth/auth_errors.h"
#include "service/auth/scope_check.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::auth {
namespace {

using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

Principal Redacting(const std::vector<std::string>& paths) {
  Principal reader;
  reader.name = "crm";
  reader.subscribe.emplace();
  absl::StatusOr<Redactor> redactor = Redactor::Create(paths);
  EXPECT_THAT(redactor.status(), IsOk());
  reader.redactor = *std::move(redactor);
  return reader;
}

google::rpc::ErrorInfo InfoOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  auto payload = status.GetPayload(kErrorInfoUrl);
  if (payload.has_value()) {
    info.ParseFromString(std::string(*payload));
  }
  return info;
}

v1::EventFilter Metadata(const std::string& key) {
  v1::EventFilter filter;
  (*filter.mutable_metadata())[key] = "EMEA";
  return filter;
}

TEST(FilterCheckTest, AMetadataFilterOnARedactedKeyIsRefused) {
  const absl::Status status =
      CheckFilterReadable(Redacting({"customer.metadata"}), Metadata("ssn"));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied,
                               HasSubstr("filter.metadata[\"ssn\"]")));
  const google::rpc::ErrorInfo info = InfoOf(status);
  EXPECT_EQ(info.reason(), "FILTER_READS_REDACTED");
  EXPECT_EQ(info.metadata().at("path"), "payload.customer.metadata.ssn");
  EXPECT_EQ(info.metadata().at("criterion"), "filter.metadata[\"ssn\"]");
  EXPECT_EQ(info.metadata().at("principal"), "crm");
}

TEST(FilterCheckTest, OnlyTheRedactedMetadataKeyIsRefused) {
  const Principal reader = Redacting({"customer.metadata.ssn"});
  EXPECT_THAT(CheckFilterReadable(reader, Metadata("ssn")),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  EXPECT_THAT(CheckFilterReadable(reader, Metadata("tier")), IsOk());
}

TEST(FilterCheckTest, ACodePatternIsRefusedWhenCodesAreRedacted) {
  v1::EventFilter filter;
  filter.set_code_pattern("ZERO-.*");
  for (const char* path : {"vouchers.code", "voucher.code", "vouchers"}) {
    const absl::Status status = CheckFilterReadable(Redacting({path}), filter);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied,
                                 HasSubstr("filter.code_pattern")))
        << path;
    EXPECT_EQ(InfoOf(status).metadata().at("path"), "enrichment.vouchers.code");
  }
  EXPECT_THAT(CheckFilterReadable(Redacting({"customer.email"}), filter),
              IsOk());
}

TEST(FilterCheckTest, IdFiltersFollowTheIdsTheyAreDerivedFrom) {
  v1::EventFilter customers;
  customers.add_customer_ids("cust_1");
  v1::EventFilter campaigns;
  campaigns.add_campaign_ids("camp_1");
  const Principal reader = Redacting({"customer.id"});
  EXPECT_THAT(CheckFilterReadable(reader, customers),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("enrichment.customer_id")));
  EXPECT_THAT(CheckFilterReadable(reader, campaigns), IsOk());
}

TEST(FilterCheckTest, PiiRedactionLeavesIdsCodesAndMetadataFilterable) {
  v1::EventFilter filter = Metadata("region");
  filter.add_customer_ids("cust_1");
  filter.add_campaign_ids("camp_1");
  filter.set_code_pattern("ZERO-.*");
  filter.add_types("redemption.*");
  EXPECT_THAT(CheckFilterReadable(Redacting({"pii"}), filter), IsOk());
}

TEST(FilterCheckTest, NoRedactionNoRefusal) {
  v1::EventFilter filter = Metadata("ssn");
  filter.set_code_pattern(".*");
  EXPECT_THAT(CheckFilterReadable(Redacting({}), filter), IsOk());
}

// The one place every read path goes through.
TEST(FilterCheckTest, ScopeFilterRefusesToo) {
  EXPECT_THAT(
      ScopeFilter(Redacting({"customer.metadata"}), Metadata("ssn")).status(),
      StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
}

}  // namespace
}  // namespace vouchstream::auth

// Issue 22, findings 2 and 3, against the real server with an access file:
// a reader with `customer.metadata` and the voucher codes redacted could
// read them anyway, by filtering on them (ListEvents and Subscribe answered
// a right guess with the event and a wrong one with nothing) and in the
// enrichment (`enrichment.vouchers[].code`, `enrichment.customer_region`).
// Now the filters are refused with PERMISSION_DENIED naming the path, the
// enrichment loses what was derived from redacted values, and "pii" clears
// the customer wherever Voucherify repeats it.

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "transcode/transcoder.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "service/auth/token_hash.h"
#include "tests/auth/auth_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {
namespace {

using ::testing::Each;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string Hash(const std::string& token) {
  return auth::DigestHex(auth::HashToken(token));
}

v1::Event Fixture(const std::string& file, const std::string& type) {
  std::ifstream in(absl::StrCat(VS_TESTDATA_DIR, "/", file), std::ios::binary);
  std::stringstream body;
  body << in.rdbuf();
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromBody(type, body.str());
  EXPECT_TRUE(event.ok()) << event.status();
  return event.ok() ? *event : v1::Event();
}

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
}

std::string Reason(const grpc::Status& status, std::string* path) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) {
    return "";
  }
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) {
      *path = info.metadata().count("path") ? info.metadata().at("path") : "";
      return info.reason();
    }
  }
  return "";
}

class RedactionOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("access.json"), absl::StrCat(R"({"principals": [
        {"name": "gateway", "token_sha256": [")",
                                                     Hash("gw-token"), R"("],
         "scopes": {"publish": true}},
        {"name": "crm", "token_sha256": [")",
                                                     Hash("crm-token"), R"("],
         "scopes": {"subscribe": {}},
         "redact": ["customer.metadata", "vouchers.code", "voucher.code",
                    "pii"]},
        {"name": "ops", "token_sha256": [")",
                                                     Hash("ops-token"), R"("],
         "scopes": {"subscribe": {}, "admin": true}}]})"));
    auto server =
        AuthServer::Start(dir_, {"--access=" + dir_.File("access.json")});
    ASSERT_THAT(server.status(), IsOk());
    server_ = *std::move(server);
    auto publisher = v1::EventService::NewStub(server_->Channel("gw-token"));
    for (const v1::Event& event :
         {Fixture("publication.succeeded.seed.json", "publication.succeeded"),
          Fixture("events/redemption.succeeded.json",
                  "redemption.succeeded")}) {
      grpc::ClientContext context;
      SetDeadline(context);
      v1::PublishRequest request;
      *request.mutable_event() = event;
      v1::PublishResponse response;
      ASSERT_TRUE(publisher->Publish(&context, request, &response).ok());
    }
  }

  grpc::Status List(const std::string& token, const v1::EventFilter& filter,
                    v1::ListEventsResponse* response) {
    auto stub = v1::EventService::NewStub(server_->Channel(token));
    grpc::ClientContext context;
    SetDeadline(context);
    v1::ListEventsRequest request;
    *request.mutable_filter() = filter;
    return stub->ListEvents(&context, request, response);
  }

  grpc::Status Subscribe(const std::string& token,
                         const v1::EventFilter& filter) {
    auto stub = v1::EventService::NewStub(server_->Channel(token));
    grpc::ClientContext context;
    SetDeadline(context);
    v1::SubscribeRequest request;
    *request.mutable_filter() = filter;
    auto reader = stub->Subscribe(&context, request);
    v1::SubscribeResponse response;
    if (reader->Read(&response)) {
      context.TryCancel();
      while (reader->Read(&response)) {
      }
    }
    return reader->Finish();
  }

  TempDir dir_;
  std::unique_ptr<AuthServer> server_;
};

TEST_F(RedactionOracleTest, ARightGuessAndAWrongOneAnswerAlike) {
  v1::EventFilter right;
  (*right.mutable_metadata())["region"] = "EMEA";
  v1::EventFilter wrong;
  (*wrong.mutable_metadata())["region"] = "APAC";
  v1::EventFilter pattern;
  pattern.set_code_pattern("ZERO-.*");

  // The unredacted reader shows the guess would have told.
  v1::ListEventsResponse seen;
  ASSERT_TRUE(List("ops-token", right, &seen).ok());
  EXPECT_THAT(seen.events(), SizeIs(1));

  for (const v1::EventFilter* filter : {&right, &wrong, &pattern}) {
    v1::ListEventsResponse response;
    const grpc::Status listed = List("crm-token", *filter, &response);
    EXPECT_EQ(listed.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << filter->DebugString();
    std::string path;
    EXPECT_EQ(Reason(listed, &path), "FILTER_READS_REDACTED");
    EXPECT_THAT(path, ::testing::AnyOf("payload.customer.metadata.region",
                                       "enrichment.vouchers.code"));
    EXPECT_THAT(response.events(), IsEmpty());
    EXPECT_EQ(Subscribe("crm-token", *filter).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
}

TEST_F(RedactionOracleTest, EnrichmentLosesWhatWasDerivedFromRedactedValues) {
  v1::ListEventsResponse full;
  ASSERT_TRUE(List("ops-token", {}, &full).ok());
  ASSERT_THAT(full.events(), SizeIs(2));
  const v1::Event& seed = full.events(0);
  ASSERT_EQ(seed.enrichment().customer_region(), "EMEA");
  ASSERT_EQ(seed.enrichment().vouchers(0).code(), "ZERO-8");

  v1::ListEventsResponse redacted;
  ASSERT_TRUE(List("crm-token", {}, &redacted).ok());
  ASSERT_THAT(redacted.events(), SizeIs(2));
  for (const v1::Event& event : redacted.events()) {
    EXPECT_EQ(event.enrichment().customer_region(), "") << event.type();
    EXPECT_THAT(event.enrichment().vouchers(),
                Each(::testing::Property(&v1::VoucherFacts::code, IsEmpty())));
    EXPECT_FALSE(event.enrichment().customer_id().empty()) << event.type();
    EXPECT_TRUE(event.raw().empty());
  }
  EXPECT_FALSE(
      redacted.events(0).enrichment().vouchers(0).voucher_id().empty());
}

TEST_F(RedactionOracleTest, PiiIsClearedWhereverTheCustomerIsRepeated) {
  v1::ListEventsResponse full;
  ASSERT_TRUE(List("ops-token", {}, &full).ok());
  ASSERT_THAT(full.events(), SizeIs(2));
  const auto& stored = full.events(1).redemption_succeeded();
  ASSERT_TRUE(stored.redemption().customer().has_email());

  v1::ListEventsResponse redacted;
  ASSERT_TRUE(List("crm-token", {}, &redacted).ok());
  ASSERT_THAT(redacted.events(), SizeIs(2));
  const auto& body = redacted.events(1).redemption_succeeded();
  EXPECT_FALSE(body.customer().has_email());
  EXPECT_FALSE(body.customer().has_name());
  EXPECT_FALSE(body.redemption().customer().has_email());
  EXPECT_EQ(body.customer().id(), stored.customer().id());
  const auto& publication = redacted.events(0).publication_succeeded();
  EXPECT_FALSE(publication.customer().has_email());
  EXPECT_FALSE(publication.customer().has_metadata());
}

}  // namespace
}  // namespace vouchstream::testing

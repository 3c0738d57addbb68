// The real vouchstream-server on 127.0.0.1:0, spoken to over gRPC.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_events.h"
#include "tests/testing/test_store.h"

namespace vouchstream::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class EventServiceTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    auto deployment = Deployment::Start(GetParam());
    ASSERT_THAT(deployment, IsOk());
    deployment_ = *std::move(deployment);
    stub_ = deployment_->NewStub();
  }
  void TearDown() override {
    stub_.reset();  // Closes the connection: the server stops at once.
    if (deployment_ != nullptr) {
      EXPECT_THAT(deployment_->Stop(), IsOk());  // the server, unless stopped
    }
  }

  std::unique_ptr<Deployment> deployment_;
  std::unique_ptr<v1::EventService::Stub> stub_;
};

TEST_P(EventServiceTest, PublishThenSubscribeDeliversInLogOrder) {
  ASSERT_THAT(Publish(*stub_, SeedEvent("pub_a")), IsOk());
  ASSERT_THAT(Publish(*stub_, SeedEvent("pub_b")), IsOk());

  v1::SubscribeRequest request;
  request.set_from(v1::BOUNDARY_EARLIEST);
  Subscriber subscriber(*stub_, request);
  ASSERT_TRUE(subscriber.ReadUntilCaughtUp());
  EXPECT_THAT(subscriber.received().seqs, ElementsAre(1, 2));
  EXPECT_EQ(subscriber.received().caught_up_at, 2);

  // Live from here on.
  ASSERT_THAT(Publish(*stub_, SeedEvent("pub_c")), IsOk());
  ASSERT_TRUE(subscriber.ReadUntil(3));
  EXPECT_THAT(subscriber.received().seqs, ElementsAre(1, 2, 3));
  EXPECT_EQ(subscriber.received().caught_up, 1);
}

TEST_P(EventServiceTest, PublishedEventIsEnrichedAndStored) {
  auto published = Publish(*stub_, SeedEvent("pub_enriched"));
  ASSERT_THAT(published, IsOk());

  grpc::ClientContext context;
  v1::GetEventRequest request;
  request.set_id("pub_enriched");
  v1::GetEventResponse response;
  ASSERT_TRUE(stub_->GetEvent(&context, request, &response).ok());
  EXPECT_EQ(response.event().seq(), published->seq());
  EXPECT_TRUE(response.event().has_received_at());
  EXPECT_EQ(response.event().enrichment().campaign_id(),
            "camp_EV79Z6CjaAMpX4pFxVivvzzk");
  EXPECT_THAT(response.event().enrichment().vouchers(), Not(IsEmpty()));
  EXPECT_FALSE(response.event().raw().empty());

  grpc::ClientContext by_seq_context;
  v1::GetEventRequest by_seq;
  by_seq.set_seq(published->seq());
  v1::GetEventResponse by_seq_response;
  ASSERT_TRUE(stub_->GetEvent(&by_seq_context, by_seq, &by_seq_response).ok());
  EXPECT_EQ(by_seq_response.event().id(), "pub_enriched");

  grpc::ClientContext missing_context;
  v1::GetEventRequest missing;
  missing.set_seq(999);
  EXPECT_EQ(
      stub_->GetEvent(&missing_context, missing, &by_seq_response).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_P(EventServiceTest, RetryGetsTheSameSeqAndDuplicate) {
  auto first = Publish(*stub_, SeedEvent("pub_retry"));
  ASSERT_THAT(first, IsOk());
  EXPECT_FALSE(first->duplicate());
  auto again = Publish(*stub_, SeedEvent("pub_retry"));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->seq(), first->seq());
  EXPECT_TRUE(again->duplicate());
}

TEST_P(EventServiceTest, InvalidEventGetsFieldViolationsAndIsQuarantined) {
  v1::Event event = SeedEvent("pub_invalid");
  event.mutable_publication_succeeded()->mutable_customer()->set_id("nope");

  grpc::ClientContext context;
  v1::PublishRequest request;
  *request.mutable_event() = event;
  v1::PublishResponse response;
  const grpc::Status status = stub_->Publish(&context, request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  std::vector<std::string> fields;
  for (const auto& violation : bad_request.field_violations()) {
    fields.push_back(violation.field());
  }
  EXPECT_THAT(fields, ::testing::Contains("customer.id"));

  grpc::ClientContext list_context;
  v1::ListQuarantinedResponse quarantined;
  ASSERT_TRUE(stub_
                  ->ListQuarantined(&list_context, v1::ListQuarantinedRequest(),
                                    &quarantined)
                  .ok());
  ASSERT_EQ(quarantined.events_size(), 1);
  EXPECT_EQ(quarantined.events(0).event().id(), "pub_invalid");
  EXPECT_THAT(quarantined.events(0).field_violations(), Not(IsEmpty()));

  // Reprocess: still invalid, so INVALID_ARGUMENT again.
  grpc::ClientContext reprocess_context;
  v1::ReprocessRequest reprocess;
  reprocess.set_quarantine_id(quarantined.events(0).quarantine_id());
  v1::ReprocessResponse reprocessed;
  EXPECT_EQ(stub_->Reprocess(&reprocess_context, reprocess, &reprocessed)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(EventServiceTest, SubscribeAndListApplyFilters) {
  std::vector<v1::Event> events = {
      UntypedEvent("evred_1", "redemption.succeeded", "camp_a", "cust_1"),
      SeedEvent("pub_f1"),
      UntypedEvent("evvou_2", "voucher.published", "camp_b", "cust_2"),
      UntypedEvent("evred_3", "redemption.failed", "camp_b", "cust_1"),
  };
  // One at a time: PublishStream acks may commit out of order, and the
  // expectations below name seqs.
  for (size_t i = 0; i < events.size(); ++i) {
    auto published = Publish(*stub_, events[i]);
    ASSERT_THAT(published, IsOk());
    ASSERT_EQ(published->seq(), i + 1);
  }

  v1::SubscribeRequest by_type;
  by_type.mutable_filter()->add_types("redemption.*");
  Subscriber redemptions(*stub_, by_type);
  ASSERT_TRUE(redemptions.ReadUntilCaughtUp());
  EXPECT_THAT(redemptions.received().seqs, ElementsAre(1, 4));

  v1::SubscribeRequest by_campaign;
  by_campaign.mutable_filter()->add_campaign_ids("camp_b");
  by_campaign.mutable_filter()->add_customer_ids("cust_1");
  Subscriber campaign(*stub_, by_campaign);
  ASSERT_TRUE(campaign.ReadUntilCaughtUp());
  EXPECT_THAT(campaign.received().seqs, ElementsAre(4));

  grpc::ClientContext list_context;
  v1::ListEventsRequest list;
  list.mutable_filter()->add_types("*.published");
  list.mutable_filter()->add_types("publication.succeeded");
  list.set_page_size(1);
  v1::ListEventsResponse page;
  ASSERT_TRUE(stub_->ListEvents(&list_context, list, &page).ok());
  ASSERT_EQ(page.events_size(), 1);
  EXPECT_EQ(page.events(0).seq(), 2);
  ASSERT_FALSE(page.next_page_token().empty());

  grpc::ClientContext next_context;
  list.set_page_token(page.next_page_token());
  v1::ListEventsResponse next;
  ASSERT_TRUE(stub_->ListEvents(&next_context, list, &next).ok());
  ASSERT_EQ(next.events_size(), 1);
  EXPECT_EQ(next.events(0).seq(), 3);

  v1::SubscribeRequest bad_pattern;
  bad_pattern.mutable_filter()->set_code_pattern("(unclosed");
  Subscriber bad(*stub_, bad_pattern);
  EXPECT_EQ(bad.Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(EventServiceTest, SubscribeAfterSeqResumesWithoutGapOrDuplicate) {
  std::vector<v1::Event> events;
  for (int i = 0; i < 20; ++i) {
    events.push_back(SeedEvent(absl::StrCat("pub_resume_", i)));
  }
  ASSERT_THAT(PublishMany(*stub_, events), IsOk());
  v1::SubscribeRequest request;
  request.set_after_seq(15);
  Subscriber subscriber(*stub_, request);
  ASSERT_TRUE(subscriber.ReadUntilCaughtUp());
  EXPECT_THAT(subscriber.received().seqs, ElementsAre(16, 17, 18, 19, 20));
}

TEST_P(EventServiceTest, NamedCursorIsSavedAndSubscribeResumesAfterIt) {
  std::vector<v1::Event> events;
  for (int i = 0; i < 6; ++i) {
    events.push_back(SeedEvent(absl::StrCat("pub_cursor_", i)));
  }
  ASSERT_THAT(PublishMany(*stub_, events), IsOk());

  v1::GetCursorRequest get;
  get.set_consumer("crm-sync");
  v1::GetCursorResponse got;
  {
    grpc::ClientContext context;
    EXPECT_EQ(stub_->GetCursor(&context, get, &got).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  // Never saved: a named subscriber starts with the earliest event.
  v1::SubscribeRequest named;
  named.set_consumer("crm-sync");
  {
    Subscriber subscriber(*stub_, named);
    ASSERT_TRUE(subscriber.ReadUntilCaughtUp());
    EXPECT_THAT(subscriber.received().seqs, ElementsAre(1, 2, 3, 4, 5, 6));
  }

  v1::SaveCursorRequest save;
  save.set_consumer("crm-sync");
  save.set_seq(4);
  v1::SaveCursorResponse saved;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->SaveCursor(&context, save, &saved).ok());
  }
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetCursor(&context, get, &got).ok());
    EXPECT_EQ(got.seq(), 4u);
  }
  {
    Subscriber subscriber(*stub_, named);
    ASSERT_TRUE(subscriber.ReadUntilCaughtUp());
    EXPECT_THAT(subscriber.received().seqs, ElementsAre(5, 6));
  }
  // An explicit start wins over the saved cursor.
  v1::SubscribeRequest explicit_start = named;
  explicit_start.set_after_seq(1);
  {
    Subscriber subscriber(*stub_, explicit_start);
    ASSERT_TRUE(subscriber.ReadUntilCaughtUp());
    EXPECT_THAT(subscriber.received().seqs, ElementsAre(2, 3, 4, 5, 6));
  }

  // A cursor cannot point past the log, and names are checked.
  v1::SaveCursorRequest too_far = save;
  too_far.set_seq(7);
  v1::SaveCursorRequest bad_name = save;
  bad_name.set_consumer("no spaces*");
  for (const v1::SaveCursorRequest& bad : {too_far, bad_name}) {
    grpc::ClientContext context;
    const grpc::Status status = stub_->SaveCursor(&context, bad, &saved);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    google::rpc::Status details;
    ASSERT_TRUE(details.ParseFromString(status.error_details()));
    ASSERT_EQ(details.details_size(), 1);
    google::rpc::BadRequest bad_request;
    ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
    ASSERT_EQ(bad_request.field_violations_size(), 1);
    EXPECT_EQ(bad_request.field_violations(0).field(),
              bad.seq() == 7 ? "seq" : "consumer");
  }
  v1::SubscribeRequest bad_subscribe;
  bad_subscribe.set_consumer("no spaces*");
  Subscriber bad(*stub_, bad_subscribe);
  EXPECT_EQ(bad.Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(EventServiceTest, IdleStreamGetsHeartbeats) {
  v1::SubscribeRequest request;
  request.set_from(v1::BOUNDARY_LATEST);
  request.set_heartbeat_seconds(1);
  Subscriber subscriber(*stub_, request, absl::Seconds(20));
  ASSERT_TRUE(subscriber.ReadUntil(SIZE_MAX, 2));
  EXPECT_EQ(subscriber.received().caught_up, 1);
  EXPECT_THAT(subscriber.received().seqs, IsEmpty());
}

TEST_P(EventServiceTest, ReflectionListsTheService) {
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(
      deployment_->server().channel());
  grpc::ClientContext context;
  auto stream = stub->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_THAT(names, ::testing::Contains("vouchstream.v1.EventService"));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_P(EventServiceTest, StopEndsStreamsWithUnavailable) {
  v1::SubscribeRequest request;
  Subscriber subscriber(*stub_, request);
  ASSERT_TRUE(subscriber.ReadUntilCaughtUp());
  const pid_t pid = deployment_->server().pid();
  ASSERT_GT(pid, 0);
  // Stop in the background of the stream: the stream must end first.
  absl::Status stopped;
  std::thread stopper([&] { stopped = deployment_->StopServer(); });
  EXPECT_EQ(subscriber.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  stopper.join();
  EXPECT_THAT(stopped, IsOk());
}

INSTANTIATE_TEST_SUITE_P(Stores, EventServiceTest, AllStores(), StoreName);

}  // namespace
}  // namespace vouchstream::testing

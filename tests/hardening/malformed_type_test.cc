// The server refuses an event whose type breaks the event type rule
// (common/event_type.h) with INVALID_ARGUMENT and a google.rpc.BadRequest
// naming `type`, over Publish and PublishStream, and stores nothing: not in
// the log, not in quarantine. Before issue 22 only the gateway checked the
// type; a client speaking gRPC could store "../../etc/passwd".

#include <chrono>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_events.h"

namespace vouchstream::testing {
namespace {

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
}

// The fields of the BadRequest in `status`'s details, in order.
std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) {
    return fields;
  }
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        fields.push_back(violation.field());
      }
    }
  }
  return fields;
}

size_t StoredEvents(v1::EventService::Stub& stub) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListEventsRequest request;
  request.set_page_size(100);
  v1::ListEventsResponse response;
  EXPECT_TRUE(stub.ListEvents(&context, request, &response).ok());
  return static_cast<size_t>(response.events_size());
}

size_t QuarantinedEvents(v1::EventService::Stub& stub) {
  grpc::ClientContext context;
  SetDeadline(context);
  v1::ListQuarantinedRequest request;
  request.set_page_size(100);
  v1::ListQuarantinedResponse response;
  EXPECT_TRUE(stub.ListQuarantined(&context, request, &response).ok());
  return static_cast<size_t>(response.events_size());
}

const char* const kMalformedTypes[] = {
    "../../etc/passwd",
    "publication/succeeded",
    "Publication.Succeeded",
    "a..b",
    ".a",
    "a b",
    "a\nb",
    "a.*",
    "a>b",
};

TEST(MalformedTypeTest, PublishRefusesItNamingTypeAndStoresNothing) {
  auto deployment = Deployment::Start(StoreKind::kSqlite);
  ASSERT_THAT(deployment.status(), IsOk());
  auto stub = (*deployment)->NewStub();

  std::vector<std::string> types(std::begin(kMalformedTypes),
                                 std::end(kMalformedTypes));
  types.push_back(std::string(129, 'a'));  // one over the length limit
  for (const std::string& type : types) {
    SCOPED_TRACE(type);
    grpc::ClientContext context;
    SetDeadline(context);
    v1::PublishRequest request;
    *request.mutable_event() =
        UntypedEvent("evpub_1", type, "camp_1", "cust_1");
    v1::PublishResponse response;
    const grpc::Status status = stub->Publish(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(ViolatedFields(status), ::testing::ElementsAre("type"));
  }
  EXPECT_EQ(StoredEvents(*stub), 0U);
  EXPECT_EQ(QuarantinedEvents(*stub), 0U);

  // The longest well-formed type is stored: the refusals above were for
  // the type, not for something else about the event.
  ASSERT_THAT(Publish(*stub, UntypedEvent("evpub_1", std::string(128, 'a'),
                                          "camp_1", "cust_1"))
                  .status(),
              IsOk());
  EXPECT_EQ(StoredEvents(*stub), 1U);
  EXPECT_EQ(QuarantinedEvents(*stub), 0U);
}

TEST(MalformedTypeTest, PublishStreamRefusesItNamingTypeAndStoresNothing) {
  auto deployment = Deployment::Start(StoreKind::kSqlite);
  ASSERT_THAT(deployment.status(), IsOk());
  auto stub = (*deployment)->NewStub();

  grpc::ClientContext context;
  SetDeadline(context);
  auto stream = stub->PublishStream(&context);
  v1::PublishStreamRequest request;
  request.set_request_id(1);
  *request.mutable_event() =
      UntypedEvent("evpub_1", "../../etc/passwd", "camp_1", "cust_1");
  ASSERT_TRUE(stream->Write(request));
  v1::PublishStreamResponse ack;
  ASSERT_TRUE(stream->Read(&ack));
  EXPECT_EQ(ack.request_id(), 1U);
  ASSERT_TRUE(ack.has_error());
  EXPECT_EQ(ack.error().code(), static_cast<int>(grpc::INVALID_ARGUMENT));
  ASSERT_EQ(ack.error().field_violations_size(), 1);
  EXPECT_EQ(ack.error().field_violations(0).field(), "type");

  // The stream stays usable: a good event after it is stored.
  request.set_request_id(2);
  *request.mutable_event() =
      UntypedEvent("evpub_2", "x.custom", "camp_1", "cust_1");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&ack));
  EXPECT_EQ(ack.request_id(), 2U);
  EXPECT_TRUE(ack.has_ok());
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());

  EXPECT_EQ(StoredEvents(*stub), 1U);
  EXPECT_EQ(QuarantinedEvents(*stub), 0U);
}

}  // namespace
}  // namespace vouchstream::testing

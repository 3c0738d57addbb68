// The real vouchstream-server with an access file: who may call what, what
// a scoped subscriber sees, what redaction hides, what a reload revokes, and
// what never reaches the log.

#include "tests/auth/auth_server.h"

#include <signal.h>

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "common/grpc_status.h"
#include "service/auth/token_hash.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_events.h"

namespace vouchstream::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kEmail[] = "jack.secret@example.com";

std::string Hash(const std::string& token) {
  return auth::DigestHex(auth::HashToken(token));
}

// gateway: publish; crm: publication.* of camp_1, redacted; ops: admin and
// every event, nothing redacted.
std::string AccessFile(bool with_crm = true, bool with_gateway = true) {
  std::string principals;
  if (with_gateway) {
    absl::StrAppend(&principals, R"({"name": "gateway", "token_sha256": [")",
                    Hash("gw-token"), R"("], "scopes": {"publish": true}},)");
  }
  if (with_crm) {
    absl::StrAppend(
        &principals, R"({"name": "crm", "token_sha256": [")", Hash("crm-token"),
        R"("], "scopes": {"subscribe": {"event_types": ["publication.*"],
           "campaign_ids": ["camp_1"]}},
         "redact": ["customer.email", "customer.name",
                    "publication.customer.email"]},)");
  }
  absl::StrAppend(&principals, R"({"name": "ops", "token_sha256": [")",
                  Hash("ops-token"),
                  R"("], "scopes": {"admin": true, "subscribe": {}}})");
  return absl::StrCat(R"({"principals": [)", principals, "]}");
}

// An untyped event with the customer's email and name in its body and raw.
v1::Event EventWithEmail(const std::string& id, const std::string& type,
                         const std::string& campaign) {
  v1::Event event = UntypedEvent(id, type, campaign, "cust_1");
  auto* customer = (*event.mutable_data()->mutable_fields())["customer"]
                       .mutable_struct_value();
  (*customer->mutable_fields())["email"].set_string_value(kEmail);
  (*customer->mutable_fields())["name"].set_string_value("Jack Secret");
  event.set_raw(absl::StrCat(R"({"customer":{"email":")", kEmail, R"("}})"));
  return event;
}

std::string ErrorInfoOf(const grpc::Status& status, const std::string& key) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) {
    return "";
  }
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) {
      return key == "reason" ? info.reason() : info.metadata().at(key);
    }
  }
  return "";
}

grpc::ClientContext* WithDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return context;
}

grpc::Status PublishStatus(v1::EventService::Stub& stub,
                           const v1::Event& event) {
  grpc::ClientContext context;
  v1::PublishRequest request;
  *request.mutable_event() = event;
  v1::PublishResponse response;
  return stub.Publish(WithDeadline(&context), request, &response);
}

grpc::Status SubscribeStatus(v1::EventService::Stub& stub,
                             const v1::SubscribeRequest& request) {
  grpc::ClientContext context;
  auto reader = stub.Subscribe(WithDeadline(&context), request);
  v1::SubscribeResponse response;
  // A refused call ends before any message; an accepted one would send
  // CaughtUp first, and then it is cancelled.
  if (reader->Read(&response)) {
    context.TryCancel();
    while (reader->Read(&response)) {
    }
  }
  return reader->Finish();
}

absl::StatusOr<v1::ListEventsResponse> List(
    v1::EventService::Stub& stub, const v1::EventFilter& filter = {}) {
  grpc::ClientContext context;
  v1::ListEventsRequest request;
  *request.mutable_filter() = filter;
  v1::ListEventsResponse response;
  const grpc::Status status =
      stub.ListEvents(WithDeadline(&context), request, &response);
  if (!status.ok()) {
    return common::FromGrpcStatus(status);
  }
  return response;
}

absl::StatusOr<v1::Event> Get(v1::EventService::Stub& stub, uint64_t seq) {
  grpc::ClientContext context;
  v1::GetEventRequest request;
  request.set_seq(seq);
  v1::GetEventResponse response;
  const grpc::Status status =
      stub.GetEvent(WithDeadline(&context), request, &response);
  if (!status.ok()) {
    return common::FromGrpcStatus(status);
  }
  return response.event();
}

// A Subscribe stream that keeps the events it reads.
class Stream {
 public:
  Stream(v1::EventService::Stub& stub, const v1::SubscribeRequest& request) {
    context_.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    reader_ = stub.Subscribe(&context_, request);
  }
  ~Stream() {
    if (!ended_) {
      context_.TryCancel();
      Finish();
    }
  }
  // Reads until `count` events or CaughtUp (count < 0); false if the stream
  // ended first.
  bool ReadUntil(int count) {
    v1::SubscribeResponse response;
    while (static_cast<int>(events_.size()) < count || count < 0) {
      if (!reader_->Read(&response)) {
        return false;
      }
      if (response.has_event()) {
        events_.push_back(response.event());
      } else if (response.has_caught_up() && count < 0) {
        return true;
      }
    }
    return true;
  }
  grpc::Status Finish() {
    v1::SubscribeResponse response;
    while (reader_->Read(&response)) {
      if (response.has_event()) {
        events_.push_back(response.event());
      }
    }
    ended_ = true;
    return reader_->Finish();
  }
  const std::vector<v1::Event>& events() const { return events_; }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  std::vector<v1::Event> events_;
  bool ended_ = false;
};

class AuthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("access.json"), AccessFile());
    auto server =
        AuthServer::Start(dir_, {"--access=" + dir_.File("access.json")});
    ASSERT_THAT(server.status(), IsOk());
    server_ = *std::move(server);
    gateway_ = v1::EventService::NewStub(server_->Channel("gw-token"));
    crm_ = v1::EventService::NewStub(server_->Channel("crm-token"));
    ops_ = v1::EventService::NewStub(server_->Channel("ops-token"));
  }

  void TearDown() override {
    // A sanitizer build of the server reports into its log.
    if (server_ != nullptr) {
      const std::string log = server_->Log();
      EXPECT_FALSE(absl::StrContains(log, "AddressSanitizer")) << log;
      EXPECT_FALSE(absl::StrContains(log, "runtime error:")) << log;
    }
  }

  TempDir dir_;
  std::unique_ptr<AuthServer> server_;
  std::unique_ptr<v1::EventService::Stub> gateway_, crm_, ops_;
};

TEST_F(AuthServerTest, TokenMatrix) {
  auto anonymous = v1::EventService::NewStub(server_->Channel(""));
  auto wrong = v1::EventService::NewStub(server_->Channel("wrong-token"));
  const v1::Event event =
      EventWithEmail("evpub_1", "publication.succeeded", "camp_1");

  // No token, wrong token: UNAUTHENTICATED on every method.
  for (auto* stub : {anonymous.get(), wrong.get()}) {
    SCOPED_TRACE(stub == anonymous.get() ? "no token" : "wrong token");
    const grpc::Status publish = PublishStatus(*stub, event);
    EXPECT_EQ(publish.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << publish.error_message();
    EXPECT_EQ(ErrorInfoOf(publish, "reason"),
              stub == anonymous.get() ? "TOKEN_MISSING" : "TOKEN_UNKNOWN");
    EXPECT_EQ(SubscribeStatus(*stub, {}).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(List(*stub).status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(Get(*stub, 1).status().code(),
              absl::StatusCode::kUnauthenticated);
    grpc::ClientContext context;
    auto stream = stub->PublishStream(WithDeadline(&context));
    v1::PublishStreamResponse ack;
    EXPECT_FALSE(stream->Read(&ack));
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }

  // Not "Bearer <token>": refused as malformed; the scheme's case is free.
  for (const auto& [value, code] :
       std::vector<std::pair<std::string, grpc::StatusCode>>{
           {"Basic Z3ctdG9rZW4=", grpc::StatusCode::UNAUTHENTICATED},
           {"Bearer", grpc::StatusCode::UNAUTHENTICATED},
           {"bearer gw-token", grpc::StatusCode::OK}}) {
    SCOPED_TRACE(value);
    grpc::ClientContext context;
    context.AddMetadata("authorization", value);
    v1::PublishRequest request;
    *request.mutable_event() = event;
    v1::PublishResponse response;
    const grpc::Status status =
        anonymous->Publish(WithDeadline(&context), request, &response);
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    if (code != grpc::StatusCode::OK) {
      EXPECT_EQ(ErrorInfoOf(status, "reason"), "TOKEN_MALFORMED");
    }
  }

  // A publish-only token publishes, and may not read.
  EXPECT_TRUE(PublishStatus(*gateway_, event).ok());
  const grpc::Status gateway_subscribes = SubscribeStatus(*gateway_, {});
  EXPECT_EQ(gateway_subscribes.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(gateway_subscribes.error_message(),
              HasSubstr("lacks scope subscribe"));
  EXPECT_EQ(ErrorInfoOf(gateway_subscribes, "scope"), "subscribe");
  EXPECT_EQ(Get(*gateway_, 1).status().code(),
            absl::StatusCode::kPermissionDenied);

  // A subscribe token limited to publication.* asking for redemption.*.
  v1::SubscribeRequest redemptions;
  redemptions.mutable_filter()->add_types("redemption.*");
  const grpc::Status crm_redemptions = SubscribeStatus(*crm_, redemptions);
  EXPECT_EQ(crm_redemptions.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorInfoOf(crm_redemptions, "scope"), "subscribe.event_types");
  EXPECT_THAT(crm_redemptions.error_message(), HasSubstr("redemption.*"));
  EXPECT_EQ(List(*crm_, redemptions.filter()).status().code(),
            absl::StatusCode::kPermissionDenied);
  // ... within its scope it may; it may neither publish nor administer.
  v1::SubscribeRequest publications;
  publications.mutable_filter()->add_types("publication.succeeded");
  // (Accepted: it sends CaughtUp, and the helper then cancels.)
  EXPECT_EQ(SubscribeStatus(*crm_, publications).error_code(),
            grpc::StatusCode::CANCELLED);
  EXPECT_EQ(PublishStatus(*crm_, event).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  {
    grpc::ClientContext context;
    v1::ListQuarantinedResponse response;
    const grpc::Status status =
        crm_->ListQuarantined(WithDeadline(&context), {}, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(ErrorInfoOf(status, "scope"), "admin");
  }

  // Admin: the quarantine; Reprocess of an unknown entry is NOT_FOUND, not
  // refused.
  {
    grpc::ClientContext context;
    v1::ListQuarantinedResponse response;
    EXPECT_TRUE(
        ops_->ListQuarantined(WithDeadline(&context), {}, &response).ok());
  }
  {
    grpc::ClientContext context;
    v1::ReprocessRequest request;
    request.set_quarantine_id(999);
    v1::ReprocessResponse response;
    EXPECT_EQ(ops_->Reprocess(WithDeadline(&context), request, &response)
                  .error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    v1::ReprocessRequest request;
    request.set_quarantine_id(999);
    v1::ReprocessResponse response;
    EXPECT_EQ(gateway_->Reprocess(WithDeadline(&context), request, &response)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
}

std::vector<std::string> Ids(const std::vector<v1::Event>& events) {
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (const v1::Event& event : events) {
    ids.push_back(event.id());
  }
  return ids;
}

TEST_F(AuthServerTest, CursorNamesArePerPrincipalAndNeedTheSubscribeScope) {
  ASSERT_THAT(
      PublishMany(*gateway_, {UntypedEvent("evcur_1", "publication.succeeded",
                                           "camp_1", "cust_1")})
          .status(),
      IsOk());
  const auto save = [](v1::EventService::Stub& stub) {
    v1::SaveCursorRequest request;
    request.set_consumer("sync");
    request.set_seq(1);
    v1::SaveCursorResponse response;
    grpc::ClientContext context;
    return stub.SaveCursor(&context, request, &response).error_code();
  };
  const auto get = [](v1::EventService::Stub& stub) {
    v1::GetCursorRequest request;
    request.set_consumer("sync");
    v1::GetCursorResponse response;
    grpc::ClientContext context;
    return stub.GetCursor(&context, request, &response).error_code();
  };
  EXPECT_EQ(save(*crm_), grpc::StatusCode::OK);
  EXPECT_EQ(get(*crm_), grpc::StatusCode::OK);
  // Another principal's "sync" is another cursor.
  EXPECT_EQ(get(*ops_), grpc::StatusCode::NOT_FOUND);
  // Publish-only: no subscribe scope, no cursors.
  EXPECT_EQ(save(*gateway_), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthServerTest, ScopedSubscriberOfAMixedStreamGetsOnlyItsEvents) {
  ASSERT_THAT(
      PublishMany(
          *gateway_,
          {UntypedEvent("evpub_1", "publication.succeeded", "camp_1", "cust_1"),
           UntypedEvent("evpub_2", "publication.succeeded", "camp_2", "cust_1"),
           UntypedEvent("evred_3", "redemption.succeeded", "camp_1", "cust_1"),
           UntypedEvent("evred_4", "redemption.succeeded", "camp_2", "cust_1")})
          .status(),
      IsOk());
  // Its filter asks for everything; the scope narrows it.
  Stream crm(*crm_, {});
  Stream ops(*ops_, {});
  ASSERT_TRUE(crm.ReadUntil(-1));
  ASSERT_TRUE(ops.ReadUntil(-1));
  // Live as well as catch-up.
  ASSERT_THAT(
      PublishMany(
          *gateway_,
          {UntypedEvent("evred_5", "redemption.succeeded", "camp_1", "cust_1"),
           UntypedEvent("evpub_6", "publication.failed", "camp_2", "cust_1"),
           UntypedEvent("evpub_7", "publication.failed", "camp_1", "cust_1")})
          .status(),
      IsOk());
  ASSERT_TRUE(ops.ReadUntil(7));
  EXPECT_EQ(ops.events().size(), 7U);
  // evpub_7 is the last event: had crm been sent any other, it would be
  // before it.
  ASSERT_TRUE(crm.ReadUntil(2));
  EXPECT_THAT(Ids(crm.events()), ElementsAre("evpub_1", "evpub_7"));
  absl::StatusOr<v1::ListEventsResponse> listed = List(*crm_);
  ASSERT_THAT(listed.status(), IsOk());
  EXPECT_THAT(Ids({listed->events().begin(), listed->events().end()}),
              ElementsAre("evpub_1", "evpub_7"));
  // Out of scope reads as absent (seq 2 is evpub_2, camp_2).
  EXPECT_EQ(Get(*crm_, 2).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Get(*crm_, 1).status(), IsOk());
}

void ExpectRedacted(const v1::Event& event) {
  EXPECT_TRUE(event.raw().empty());
  const auto& customer = event.data().fields().at("customer").struct_value();
  EXPECT_EQ(customer.fields().count("email"), 0U);
  EXPECT_EQ(customer.fields().count("name"), 0U);
  EXPECT_EQ(customer.fields().at("id").string_value(), "cust_1");
  EXPECT_FALSE(absl::StrContains(event.SerializeAsString(), kEmail));
}

TEST_F(AuthServerTest, RedactsStreamsAndQueriesButNotTheStore) {
  v1::Event typed = SeedEvent("evpub_typed");
  typed.mutable_publication_succeeded()->mutable_customer()->set_email(kEmail);
  typed.mutable_publication_succeeded()
      ->mutable_publication()
      ->mutable_customer()
      ->set_email(kEmail);
  typed.set_raw(absl::StrCat(typed.raw(), kEmail));
  const std::string typed_campaign =
      typed.publication_succeeded().campaign().id();
  // crm may read the seed's campaign too.
  WriteFile(dir_.File("access.json"),
            absl::StrReplaceAll(
                AccessFile(),
                {{R"("camp_1"])",
                  absl::StrCat(R"("camp_1", ")", typed_campaign, R"("])")}}));
  server_->Reload();
  ASSERT_TRUE(server_->WaitForLog("access file reloaded"));

  ASSERT_THAT(
      PublishMany(
          *gateway_,
          {EventWithEmail("evpub_1", "publication.succeeded", "camp_1"), typed})
          .status(),
      IsOk());
  Stream stream(*crm_, {});
  ASSERT_TRUE(stream.ReadUntil(2));
  ExpectRedacted(stream.events()[0]);
  absl::StatusOr<v1::Event> got = Get(*crm_, 1);
  ASSERT_THAT(got.status(), IsOk());
  ExpectRedacted(*got);
  absl::StatusOr<v1::ListEventsResponse> listed = List(*crm_);
  ASSERT_THAT(listed.status(), IsOk());
  ASSERT_EQ(listed->events_size(), 2);
  ExpectRedacted(listed->events(0));
  // The typed payload: by JSON name, in both places it appears.
  for (const v1::Event& event :
       {stream.events()[1], listed->events(1), *Get(*crm_, 2)}) {
    const auto& body = event.publication_succeeded();
    EXPECT_FALSE(body.customer().has_email());
    EXPECT_FALSE(body.customer().has_name());
    EXPECT_FALSE(body.publication().customer().has_email());
    EXPECT_TRUE(body.customer().has_id());
    EXPECT_TRUE(event.raw().empty());
    EXPECT_FALSE(absl::StrContains(event.SerializeAsString(), kEmail));
  }
  // The stored events are intact: ops has no redaction.
  absl::StatusOr<v1::Event> stored = Get(*ops_, 1);
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_EQ(stored->data()
                .fields()
                .at("customer")
                .struct_value()
                .fields()
                .at("email")
                .string_value(),
            kEmail);
  EXPECT_THAT(stored->raw(), HasSubstr(kEmail));
  absl::StatusOr<v1::Event> stored_typed = Get(*ops_, 2);
  ASSERT_THAT(stored_typed.status(), IsOk());
  EXPECT_EQ(stored_typed->publication_succeeded().customer().email(), kEmail);
  EXPECT_EQ(stored_typed->publication_succeeded().customer().name(),
            typed.publication_succeeded().customer().name());
}

TEST_F(AuthServerTest, ReloadRevokesATokenAndEndsItsStreamsOnly) {
  ASSERT_THAT(
      Publish(*gateway_, UntypedEvent("evpub_1", "publication.succeeded",
                                      "camp_1", "cust_1"))
          .status(),
      IsOk());
  Stream crm(*crm_, {});
  Stream ops(*ops_, {});
  ASSERT_TRUE(crm.ReadUntil(-1));
  ASSERT_TRUE(ops.ReadUntil(-1));
  // An open PublishStream of the gateway, which the reload also revokes.
  grpc::ClientContext publish_context;
  auto publish = gateway_->PublishStream(WithDeadline(&publish_context));
  v1::PublishStreamRequest request;
  request.set_request_id(1);
  *request.mutable_event() =
      UntypedEvent("evpub_2", "publication.succeeded", "camp_1", "cust_1");
  ASSERT_TRUE(publish->Write(request));
  v1::PublishStreamResponse ack;
  ASSERT_TRUE(publish->Read(&ack));
  ASSERT_TRUE(ack.has_ok()) << ack.DebugString();

  WriteFile(dir_.File("access.json"),
            AccessFile(/*with_crm=*/false, /*with_gateway=*/false));
  server_->Reload();

  // crm's open stream ends with UNAUTHENTICATED, and new calls are refused.
  const grpc::Status ended = crm.Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << ended.error_message();
  EXPECT_EQ(ErrorInfoOf(ended, "reason"), "ACCESS_REVOKED");
  EXPECT_EQ(List(*crm_).status().code(), absl::StatusCode::kUnauthenticated);
  // The gateway's open PublishStream refuses further events.
  request.set_request_id(2);
  *request.mutable_event() =
      UntypedEvent("evpub_3", "publication.succeeded", "camp_1", "cust_1");
  ASSERT_TRUE(publish->Write(request));
  ASSERT_TRUE(publish->Read(&ack));
  EXPECT_EQ(ack.request_id(), 2U);
  ASSERT_TRUE(ack.has_error());
  EXPECT_EQ(ack.error().code(),
            static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
  publish->WritesDone();
  EXPECT_TRUE(publish->Finish().ok());
  EXPECT_EQ(PublishStatus(*gateway_, request.event()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // ops's stream stays open and live: it gets the next event (published by
  // ops, which has no publish scope... so through a new gateway token).
  WriteFile(dir_.File("access.json"),
            absl::StrReplaceAll(AccessFile(/*with_crm=*/false),
                                {{Hash("gw-token"), Hash("gw-token-2")}}));
  server_->Reload();
  ASSERT_TRUE(server_->WaitForLog("access file reloaded", 2));
  auto gateway2 = v1::EventService::NewStub(server_->Channel("gw-token-2"));
  ASSERT_THAT(
      Publish(*gateway2, UntypedEvent("evpub_4", "publication.succeeded",
                                      "camp_1", "cust_1"))
          .status(),
      IsOk());
  ASSERT_TRUE(ops.ReadUntil(3));
  EXPECT_THAT(Ids(ops.events()), ElementsAre("evpub_1", "evpub_2", "evpub_4"));
}

TEST_F(AuthServerTest, ReloadDuringLiveTrafficEndsEveryRevokedStream) {
  // Many streams of the revoked principal, with writes in flight while the
  // reload ends them: every one ends UNAUTHENTICATED, and the server exits
  // cleanly afterwards (no crash, no stuck call).
  constexpr int kStreams = 16;
  std::vector<std::unique_ptr<Stream>> streams;
  for (int i = 0; i < kStreams; ++i) {
    streams.push_back(std::make_unique<Stream>(*crm_, v1::SubscribeRequest()));
    ASSERT_TRUE(streams.back()->ReadUntil(-1));
  }
  std::vector<v1::Event> events;
  for (int i = 0; i < 200; ++i) {
    events.push_back(UntypedEvent(absl::StrCat("evpub_", i),
                                  "publication.succeeded", "camp_1", "cust_1"));
  }
  absl::Status published;
  std::thread publisher(
      [&] { published = PublishMany(*gateway_, events).status(); });
  WriteFile(dir_.File("access.json"), AccessFile(/*with_crm=*/false));
  server_->Reload();
  for (auto& stream : streams) {
    const grpc::Status ended = stream->Finish();
    EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << ended.error_message();
  }
  publisher.join();
  EXPECT_THAT(published, IsOk());
  // Idle connections would hold the drain up to its timeout.
  streams.clear();
  gateway_.reset();
  crm_.reset();
  ops_.reset();
  EXPECT_THAT(server_->Stop(), IsOk());
}

TEST(AuthServerStartTest, AMalformedAccessFileStopsTheStart) {
  TempDir dir;
  WriteFile(dir.File("access.json"),
            R"({"principals": [{"name": "a", "token_sha256": ["abc"]}]})");
  auto server = AuthServer::Start(dir, {"--access=" + dir.File("access.json")});
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("cannot load the access file"));
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("token_sha256[0] is 3 characters long"));
  WriteFile(dir.File("unknown.json"), R"({"principal": []})");
  server = AuthServer::Start(dir, {"--access=" + dir.File("unknown.json")});
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()), HasSubstr("principal"));
}

TEST_F(AuthServerTest, AMalformedReloadKeepsTheOldFile) {
  WriteFile(dir_.File("access.json"), "{\"principals\": [");
  server_->Reload();
  ASSERT_TRUE(server_->WaitForLog("access file reload failed"));
  EXPECT_THAT(List(*crm_).status(), IsOk());
  EXPECT_THAT(
      Publish(*gateway_, UntypedEvent("evpub_1", "publication.succeeded",
                                      "camp_1", "cust_1"))
          .status(),
      IsOk());
  EXPECT_EQ(
      List(*v1::EventService::NewStub(server_->Channel("x"))).status().code(),
      absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthServerTest, LogsNeverShowTokensOrEmails) {
  auto wrong = v1::EventService::NewStub(server_->Channel("wrong-secret-tok"));
  // Refused for its token.
  EXPECT_EQ(
      PublishStatus(
          *wrong, EventWithEmail("evpub_1", "publication.succeeded", "camp_1"))
          .error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(SubscribeStatus(*wrong, {}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Rejected by validation (an email that is not one) and quarantined.
  v1::Event invalid = SeedEvent("evpub_bad");
  const std::string bad_email = "jack.secret@nowhere";
  invalid.mutable_publication_succeeded()->mutable_customer()->set_email(
      bad_email);
  invalid.set_raw(absl::StrCat(invalid.raw(), kEmail));
  EXPECT_EQ(PublishStatus(*gateway_, invalid).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Accepted, with an email.
  EXPECT_TRUE(PublishStatus(
                  *gateway_,
                  EventWithEmail("evpub_2", "publication.succeeded", "camp_1"))
                  .ok());
  EXPECT_EQ(SubscribeStatus(*crm_, {}).error_code(),
            grpc::StatusCode::CANCELLED);
  // Idle connections would hold the drain up to its timeout.
  gateway_.reset();
  crm_.reset();
  ops_.reset();
  wrong.reset();
  ASSERT_THAT(server_->Stop(), IsOk());

  const std::string log = server_->Log();
  // The lines that could have leaked are there...
  EXPECT_THAT(log, HasSubstr("call refused"));
  EXPECT_THAT(log, HasSubstr("event quarantined"));
  EXPECT_THAT(log, HasSubstr("customer.email"));
  // ... and leak nothing.
  for (const std::string& secret :
       {std::string("wrong-secret-tok"), std::string("gw-token"),
        std::string("crm-token"), std::string(kEmail), bad_email,
        std::string("Bearer"), Hash("gw-token")}) {
    EXPECT_FALSE(absl::StrContains(log, secret)) << secret << " in:\n" << log;
  }
}

}  // namespace
}  // namespace vouchstream::testing

// Event identity through the real gateway and server (issue 20), on both
// stores: signed bodies posted as Voucherify posts them, then what the log
// holds. Identity is (type, id): identical id-less bodies of two types are
// two events; whitespace variants of one body are one; a content hash
// deduplicates only within the server's window.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <grpcpp/grpcpp.h>

#include "vouchstream/v1/api.grpc.pb.h"

#include "common/grpc_status.h"
#include "tests/testing/deployment.h"
#include "tests/testing/http_client.h"
#include "tests/testing/seed_bodies.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_store.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;

// Voucherify's `customer.segment.entered` and `.left` bodies: the customer
// and the segment, nothing that tells one occurrence from another.
constexpr char kSegmentBody[] =
    R"({"customer":{"id":"cust_7Qp2","source_id":"alice@example.com",)"
    R"("object":"customer"},"segment":{"id":"seg_1Vip","name":"VIP",)"
    R"("object":"segment"}})";

std::string Path(const std::string& type) {
  return absl::StrCat("/webhooks/voucherify/", type);
}

struct Answer {
  int status = 0;
  uint64_t seq = 0;
  bool duplicate = false;
  std::string body;
};

class EventIdentityE2eTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  // Starts the server (with `server_args`) and a gateway (with
  // `gateway_args`) on the test's store.
  void Start(std::vector<std::string> server_args = {},
             std::vector<std::string> gateway_args = {}) {
    Deployment::Options options;
    options.store = GetParam();
    options.server_args = std::move(server_args);
    options.gateways = 1;
    options.gateway_args = std::move(gateway_args);
    auto deployment = Deployment::Start(options);
    ASSERT_THAT(deployment, IsOk());
    deployment_ = *std::move(deployment);
    stub_ = deployment_->NewStub();
  }

  void TearDown() override {
    // The gateway's open PublishStreams and this stub's connection would
    // hold the server's drain until its timeout.
    if (deployment_ == nullptr) {
      return;
    }
    deployment_->KillGateway();
    stub_.reset();
    EXPECT_THAT(deployment_->StopServer(), IsOk());
  }

  // POSTs `body` to `path`, signed over `signed_bytes` (the body itself
  // unless a variant is signed over its canonical form).
  Answer Post(const std::string& path, const std::string& body,
              const std::string& signed_bytes) const {
    auto response = HttpPost(deployment_->gateway_port(), path, body,
                             deployment_->SignatureHeaders(signed_bytes));
    EXPECT_THAT(response, IsOk());
    Answer answer;
    if (!response.ok()) {
      return answer;
    }
    answer.status = response->status;
    answer.body = response->body;
    const size_t at = response->body.find("\"seq\":");
    if (at != std::string::npos) {
      answer.seq = std::stoull(response->body.substr(at + 6));
    }
    answer.duplicate =
        response->body.find("\"duplicate\":true") != std::string::npos;
    return answer;
  }
  Answer Post(const std::string& path, const std::string& body) const {
    return Post(path, body, body);
  }

  absl::StatusOr<v1::Event> GetBySeq(uint64_t seq) const {
    grpc::ClientContext context;
    v1::GetEventRequest request;
    request.set_seq(seq);
    v1::GetEventResponse response;
    const grpc::Status status = stub_->GetEvent(&context, request, &response);
    if (!status.ok()) {
      return common::FromGrpcStatus(status);
    }
    return response.event();
  }

  std::vector<v1::QuarantinedEvent> Quarantined() const {
    grpc::ClientContext context;
    v1::ListQuarantinedRequest request;
    v1::ListQuarantinedResponse response;
    EXPECT_TRUE(stub_->ListQuarantined(&context, request, &response).ok());
    return {response.events().begin(), response.events().end()};
  }

  // Every stored event, in log order.
  std::vector<v1::Event> Stored() const {
    grpc::ClientContext context;
    v1::ListEventsRequest request;
    request.set_page_size(100);
    v1::ListEventsResponse response;
    EXPECT_TRUE(stub_->ListEvents(&context, request, &response).ok());
    return {response.events().begin(), response.events().end()};
  }

  std::unique_ptr<Deployment> deployment_;
  std::unique_ptr<v1::EventService::Stub> stub_;
};

// Two of Voucherify's own example pairs were answered 200 and dropped as
// duplicates of each other: the same bytes under two types are two events.
TEST_P(EventIdentityE2eTest, IdenticalBodiesOfTwoTypesAreTwoEvents) {
  Start();
  const Answer entered = Post(Path("customer.segment.entered"), kSegmentBody);
  ASSERT_EQ(entered.status, 200) << entered.body;
  EXPECT_FALSE(entered.duplicate);
  const Answer left = Post(Path("customer.segment.left"), kSegmentBody);
  ASSERT_EQ(left.status, 200) << left.body;
  EXPECT_FALSE(left.duplicate) << left.body;
  EXPECT_NE(left.seq, entered.seq);
  // Each retry finds its own event.
  const Answer retry = Post(Path("customer.segment.left"), kSegmentBody);
  EXPECT_EQ(retry.status, 200);
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(retry.seq, left.seq);

  const std::vector<v1::Event> stored = Stored();
  ASSERT_EQ(stored.size(), 2U);
  EXPECT_EQ(stored[0].type(), "customer.segment.entered");
  EXPECT_EQ(stored[1].type(), "customer.segment.left");
  EXPECT_EQ(stored[0].id(), stored[1].id());
  EXPECT_EQ(stored[1].id_rule(), v1::ID_RULE_CONTENT_HASH);
}

// The other pair Voucherify's examples lost: a reward redemption's `created`
// and `pending` bodies, byte for byte the same. Their id is the redemption's
// (`reward_redemption.id`), and the type tells the two events apart.
TEST_P(EventIdentityE2eTest, TheRewardRedemptionPairIsTwoEvents) {
  Start();
  const std::string body =
      Contract("events/customer.reward_redemptions.created.json");
  ASSERT_FALSE(body.empty());
  const Answer created =
      Post(Path("customer.reward_redemptions.created"), body);
  ASSERT_EQ(created.status, 200) << created.body;
  const Answer pending =
      Post(Path("customer.reward_redemptions.pending"), body);
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_FALSE(pending.duplicate);
  const std::vector<v1::Event> stored = Stored();
  ASSERT_EQ(stored.size(), 2U);
  EXPECT_EQ(stored[0].id(), stored[1].id());
  EXPECT_EQ(stored[0].id_rule(), v1::ID_RULE_BODY_ID);
  EXPECT_EQ(stored[1].type(), "customer.reward_redemptions.pending");
}

// A captured signed body re-posted to another type's URL (which the
// signature does not cover) is quarantined, not stored as that type.
TEST_P(EventIdentityE2eTest, ABodyRepostedUnderAnotherTypeIsQuarantined) {
  Start();
  const std::string seed = Contract("publication.succeeded.seed.json");
  ASSERT_FALSE(seed.empty());
  const Answer original = Post(Path("publication.succeeded"), seed);
  ASSERT_EQ(original.status, 200) << original.body;
  const Answer forged = Post(Path("redemption.succeeded"), seed);
  EXPECT_EQ(forged.status, 422) << forged.body;
  EXPECT_THAT(forged.body, HasSubstr("redemption"));
  const std::vector<v1::Event> stored = Stored();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].type(), "publication.succeeded");
  const std::vector<v1::QuarantinedEvent> quarantined = Quarantined();
  ASSERT_EQ(quarantined.size(), 1U);
  EXPECT_EQ(quarantined[0].event().type(), "redemption.succeeded");
  ASSERT_GE(quarantined[0].field_violations_size(), 1);
  EXPECT_EQ(quarantined[0].field_violations(0).field(), "redemption");
}

// The stripped-signature fallback verifies every whitespace variant of one
// signed body; they are one event, not one each.
TEST_P(EventIdentityE2eTest, WhitespaceVariantsOfOneBodyAreOneEvent) {
  Start();
  const std::string compact = kSegmentBody;
  const std::vector<std::string> variants = {
      compact,
      R"({ "customer": {"id": "cust_7Qp2", "source_id": "alice@example.com",)"
      R"( "object": "customer"}, "segment": {"id": "seg_1Vip", "name": "VIP",)"
      R"( "object": "segment"} })",
      absl::StrCat("\n", compact, "\n"),
      R"({"customer":{"id":"cust_7Qp2","source_id":"alice@example.com",)"
      "\r\n\t"
      R"("object":"customer"},"segment":{"id":"seg_1Vip","name":"VIP",)"
      R"("object":"segment"}})",
  };
  uint64_t first = 0;
  for (const std::string& variant : variants) {
    const Answer answer =
        Post(Path("customer.segment.entered"), variant, compact);
    ASSERT_EQ(answer.status, 200) << answer.body;
    if (first == 0) {
      first = answer.seq;
      EXPECT_FALSE(answer.duplicate);
    } else {
      EXPECT_EQ(answer.seq, first);
      EXPECT_TRUE(answer.duplicate) << variant;
    }
  }
  EXPECT_EQ(Stored().size(), 1U);
}

// Past the content-hash window the same body is a new event (the customer
// entered the segment again); a real id never expires.
TEST_P(EventIdentityE2eTest, AContentHashPastTheWindowIsANewEvent) {
  // A window of 1 µs has passed by the time a second request arrives.
  Start({"--content_hash_window=1us"});
  const Answer first = Post(Path("customer.segment.entered"), kSegmentBody);
  ASSERT_EQ(first.status, 200) << first.body;
  const Answer again = Post(Path("customer.segment.entered"), kSegmentBody);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_FALSE(again.duplicate);
  EXPECT_NE(again.seq, first.seq);
  EXPECT_EQ(Stored().size(), 2U);
}

TEST_P(EventIdentityE2eTest, RequireEnvelopeRefusesBareBodiesOnly) {
  Start({}, {"--require-envelope"});
  const Answer bare = Post(Path("customer.segment.entered"), kSegmentBody);
  EXPECT_EQ(bare.status, 400);
  EXPECT_THAT(bare.body, HasSubstr("--require-envelope"));
  const std::string envelope = absl::StrCat(
      R"({"id":"whs_1","type":"customer.segment.entered","data":)",
      kSegmentBody,
      R"(,"event":{"id":"evcus_0c5d","type":"customer.segment.entered"}})");
  const Answer enveloped = Post("/webhooks/voucherify", envelope);
  ASSERT_EQ(enveloped.status, 200) << enveloped.body;
  absl::StatusOr<v1::Event> stored = GetBySeq(enveloped.seq);
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->id(), "evcus_0c5d");
  EXPECT_EQ(stored->id_rule(), v1::ID_RULE_ENVELOPE_EVENT_ID);
  EXPECT_EQ(Stored().size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Stores, EventIdentityE2eTest, AllStores(), StoreName);

}  // namespace
}  // namespace vouchstream::testing

// End-to-end tests of the HTTP gateway with the real processes:
// vouchstream-server (SQLite store in a scratch dir) and vouchstream-gateway,
// both on free loopback ports. Nothing is faked.

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "transcode/signature.h"
#include <grpcpp/grpcpp.h>

#include "vouchstream/v1/api.grpc.pb.h"

#include "common/grpc_status.h"
#include "tests/testing/child_process.h"
#include "tests/testing/http_client.h"
#include "tests/testing/seed_bodies.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {
namespace {

// Publication ids of this file's bodies start so (see UniqueSeed).
constexpr absl::string_view kIdPrefix = "pub_e2e";

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSecret[] = "e2e-secret";
constexpr char kTypedPath[] = "/webhooks/voucherify/publication.succeeded";
constexpr char kEnvelopePath[] = "/webhooks/voucherify";

Headers Signed(const std::string& body) {
  return {{"x-voucherify-signature", transcode::SignHex(kSecret, body)}};
}

// A server + gateway pair on free ports.
struct Stack {
  TempDir dir;
  std::unique_ptr<ChildProcess> server;
  std::unique_ptr<ChildProcess> gateway;
  std::unique_ptr<v1::EventService::Stub> stub;
  std::string store;

  absl::Status StartServer(int port = 0) {
    store = absl::StrCat("sqlite:", dir.path(), "/events.db");
    auto started = ChildProcess::Start(
        {VS_SERVER_BINARY, absl::StrCat("--listen=127.0.0.1:", port),
         absl::StrCat("--store=", store)});
    if (!started.ok()) {
      return started.status();
    }
    server = *std::move(started);
    stub = v1::EventService::NewStub(grpc::CreateChannel(
        server->address(), grpc::InsecureChannelCredentials()));
    return absl::OkStatus();
  }

  absl::Status Start() {
    absl::Status status = StartServer();
    if (!status.ok()) {
      return status;
    }
    const std::string secrets = absl::StrCat(dir.path(), "/secrets");
    std::ofstream(secrets) << "retired-secret\n" << kSecret << "\n";
    std::filesystem::permissions(secrets,
                                 std::filesystem::perms::owner_read |
                                     std::filesystem::perms::owner_write);
    auto started = ChildProcess::Start(
        {VS_GATEWAY_BINARY, "--listen=127.0.0.1:0",
         absl::StrCat("--upstream=", server->address()),
         absl::StrCat("--secret-file=", secrets), "--max-body-bytes=65536",
         "--publish-deadline=3s"});
    if (!started.ok()) {
      return started.status();
    }
    gateway = *std::move(started);
    return WaitReady(absl::Seconds(20));
  }

  // Polls /readyz (upstream SERVING) until 200 or the deadline.
  absl::Status WaitReady(absl::Duration timeout) const {
    const absl::Time deadline = absl::Now() + timeout;
    std::string last;
    while (absl::Now() < deadline) {
      auto response = HttpGet(gateway->port(), "/readyz");
      if (response.ok() && response->status == 200) {
        return absl::OkStatus();
      }
      last = response.ok() ? response->body : response.status().ToString();
      absl::SleepFor(absl::Milliseconds(20));
    }
    return absl::DeadlineExceededError(absl::StrCat("not ready: ", last));
  }

  absl::StatusOr<HttpResponse> Post(const std::string& path,
                                    const std::string& body,
                                    const Headers& headers) const {
    return HttpPost(gateway->port(), path, body, headers);
  }

  absl::StatusOr<v1::Event> GetBySeq(uint64_t seq) const {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    v1::GetEventRequest request;
    request.set_seq(seq);
    v1::GetEventResponse response;
    const grpc::Status status = stub->GetEvent(&context, request, &response);
    if (!status.ok()) {
      return common::FromGrpcStatus(status);
    }
    return response.event();
  }

  absl::StatusCode GetByIdCode(const std::string& id) const {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    v1::GetEventRequest request;
    request.set_id(id);
    v1::GetEventResponse response;
    return common::FromGrpcCode(
        stub->GetEvent(&context, request, &response).error_code());
  }
};

uint64_t SeqOf(const HttpResponse& response) {
  const size_t at = response.body.find("\"seq\":");
  return at == std::string::npos ? 0
                                 : std::stoull(response.body.substr(at + 6));
}

class GatewayE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack;
    const absl::Status started = stack_->Start();
    if (!started.ok()) {
      delete stack_;
      stack_ = nullptr;
      FAIL() << started;
    }
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(stack_, nullptr); }

  static Stack* stack_;
};
Stack* GatewayE2eTest::stack_ = nullptr;

// Expects a google.rpc.Status-shaped JSON error with `code`.
void ExpectJsonError(const absl::StatusOr<HttpResponse>& response, int code,
                     const std::string& message_part) {
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, code) << response->body;
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_THAT(response->body,
              StartsWith(absl::StrCat("{\"error\":{\"code\":", code, ",")));
  EXPECT_THAT(response->body, HasSubstr("\"details\":["));
  EXPECT_THAT(response->body, HasSubstr(message_part));
  EXPECT_FALSE(response->Header("x-request-id").empty());
}

TEST_F(GatewayE2eTest, SignedSeedAndEnvelopeAreDeliveredEnriched) {
  const std::string seed = UniqueSeed(kIdPrefix);
  Headers headers = Signed(seed);
  const std::string traceparent =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  headers.emplace_back("traceparent", traceparent);
  auto seed_response = stack_->Post(kTypedPath, seed, headers);
  ASSERT_THAT(seed_response, IsOk());
  ASSERT_EQ(seed_response->status, 200) << seed_response->body;
  EXPECT_THAT(seed_response->body, HasSubstr("\"duplicate\":false"));
  EXPECT_TRUE(seed_response->Header("x-vouchstream-duplicate").empty());
  const std::string request_id = seed_response->Header("x-request-id");
  EXPECT_FALSE(request_id.empty());

  const std::string envelope =
      Contract("voucher.published.envelope.example.json");
  auto envelope_response =
      stack_->Post(kEnvelopePath, envelope, Signed(envelope));
  ASSERT_THAT(envelope_response, IsOk());
  ASSERT_EQ(envelope_response->status, 200) << envelope_response->body;

  // A subscriber from the seed's seq sees both, enriched, in log order.
  const uint64_t seed_seq = SeqOf(*seed_response);
  const uint64_t envelope_seq = SeqOf(*envelope_response);
  ASSERT_GT(seed_seq, 0U);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::SubscribeRequest request;
  request.set_after_seq(seed_seq - 1);
  auto reader = stack_->stub->Subscribe(&context, request);
  v1::SubscribeResponse message;
  std::vector<v1::Event> events;
  while (events.size() < 2 && reader->Read(&message)) {
    if (message.has_event() && (message.event().seq() == seed_seq ||
                                message.event().seq() == envelope_seq)) {
      events.push_back(message.event());
    }
  }
  context.TryCancel();
  ASSERT_EQ(events.size(), 2U);
  const v1::Event& stored_seed =
      events[0].seq() == seed_seq ? events[0] : events[1];
  const v1::Event& stored_envelope =
      events[0].seq() == seed_seq ? events[1] : events[0];

  EXPECT_EQ(stored_seed.type(), "publication.succeeded");
  EXPECT_TRUE(stored_seed.has_publication_succeeded());
  EXPECT_EQ(stored_seed.raw(), seed);
  EXPECT_TRUE(stored_seed.ingress().signature_verified());
  EXPECT_EQ(stored_seed.ingress().request_id(), request_id);
  EXPECT_EQ(stored_seed.ingress().traceparent(), traceparent);
  EXPECT_EQ(stored_seed.ingress().path(), kTypedPath);
  EXPECT_THAT(stored_seed.ingress().remote_address(), StartsWith("127.0.0.1:"));
  EXPECT_FALSE(stored_seed.ingress().gateway_instance().empty());
  EXPECT_EQ(stored_seed.enrichment().campaign_id(),
            "camp_EV79Z6CjaAMpX4pFxVivvzzk");
  EXPECT_EQ(stored_seed.enrichment().customer_id(),
            "cust_IdgAFZxYwwHctOk9pPuMu308");
  EXPECT_TRUE(stored_seed.has_received_at());

  EXPECT_EQ(stored_envelope.type(), "voucher.published");
  EXPECT_EQ(stored_envelope.ingress().path(), kEnvelopePath);
  EXPECT_TRUE(stored_envelope.has_envelope());
  EXPECT_EQ(stored_envelope.raw(), envelope);
}

TEST_F(GatewayE2eTest, WrongOrMissingSignatureIs401AndNothingStored) {
  const std::string seed = UniqueSeed(kIdPrefix);
  ExpectJsonError(stack_->Post(kTypedPath, seed,
                               {{"x-voucherify-signature",
                                 transcode::SignHex("wrong-secret", seed)}}),
                  401, "does not match");
  ExpectJsonError(stack_->Post(kTypedPath, seed, {}), 401, "missing");
  // The publication id is the event id of a bare body.
  const size_t at = seed.find("pub_e2e");
  const std::string publication_id = seed.substr(at, seed.find('"', at) - at);
  EXPECT_EQ(stack_->GetByIdCode(publication_id), absl::StatusCode::kNotFound);
  auto metrics = HttpGet(stack_->gateway->port(), "/metrics");
  ASSERT_THAT(metrics, IsOk());
  EXPECT_THAT(metrics->body,
              HasSubstr("vouchstream_gateway_signature_failures_total "));
}

TEST_F(GatewayE2eTest, RefusalsHaveTheirCodesAndJsonBodies) {
  const std::string seed = UniqueSeed(kIdPrefix);
  // 413: over the 64 KiB limit given on the command line.
  const std::string big =
      absl::StrCat("{\"pad\":\"", std::string(70000, 'x'), "\"}");
  ExpectJsonError(stack_->Post(kTypedPath, big, Signed(big)), 413, "limit");
  // 413 for a chunked body too (no Content-Length to check up front).
  {
    HttpConnection connection;
    ASSERT_THAT(connection.Connect("127.0.0.1", stack_->gateway->port()),
                IsOk());
    std::string raw = absl::StrCat(
        "POST ", kTypedPath,
        " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 20; ++i) {
      absl::StrAppend(&raw, "1000\r\n", std::string(4096, ' '), "\r\n");
    }
    absl::StrAppend(&raw, "0\r\n\r\n");
    ExpectJsonError(connection.Raw(raw), 413, "limit");
  }
  ExpectJsonError(stack_->Post(kTypedPath, seed,
                               {{"content-type", "text/plain"},
                                {"x-voucherify-signature",
                                 transcode::SignHex(kSecret, seed)}}),
                  415, "application/json");
  const std::string bad_json = "{\"publication\": ";
  ExpectJsonError(stack_->Post(kTypedPath, bad_json, Signed(bad_json)), 400,
                  "JSON");
  // Only a body that cannot be read is refused: an odd value is kept
  // (OddValueIsStoredNotRefused).
  const std::string unreadable = R"([{"publication": {"id": "pub_1"}}])";
  ExpectJsonError(stack_->Post(kTypedPath, unreadable, Signed(unreadable)), 400,
                  "root: expected a JSON object");
  {
    HttpConnection connection;
    ASSERT_THAT(connection.Connect("127.0.0.1", stack_->gateway->port()),
                IsOk());
    auto response = connection.Request("GET", kEnvelopePath, "");
    ExpectJsonError(response, 405, "POST");
    EXPECT_EQ(response->Header("allow"), "POST");
    // The connection stays usable after an error (keep-alive).
    ExpectJsonError(connection.Request("GET", "/nope", ""), 404, "/nope");
    ExpectJsonError(connection.Post("/webhooks/voucherify/a/b", seed), 404,
                    "no route");
  }
}

TEST_F(GatewayE2eTest, InvalidEventIs422WithViolationsAndQuarantined) {
  const std::string bogus_id =
      absl::StrCat("bogus", absl::ToUnixMicros(absl::Now()));
  const std::string body =
      absl::StrReplaceAll(Contract("publication.succeeded.seed.json"),
                          {{kSeedPublicationId, bogus_id}});
  auto response = stack_->Post(kTypedPath, body, Signed(body));
  ExpectJsonError(response, 422, "publication.id");
  EXPECT_THAT(response->body,
              HasSubstr("\"@type\":\"type.googleapis.com/google.rpc."
                        "BadRequest\",\"fieldViolations\":[{\"field\":"
                        "\"publication.id\""));
  EXPECT_TRUE(response->Header("retry-after").empty());

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  v1::ListQuarantinedRequest request;
  request.set_page_size(1000);
  v1::ListQuarantinedResponse quarantined;
  ASSERT_TRUE(
      stack_->stub->ListQuarantined(&context, request, &quarantined).ok());
  bool found = false;
  for (const v1::QuarantinedEvent& entry : quarantined.events()) {
    if (entry.event().id() == bogus_id) {
      found = true;
      EXPECT_FALSE(entry.field_violations().empty());
      EXPECT_EQ(entry.event().raw(), body);
    }
  }
  EXPECT_TRUE(found) << "not in quarantine: " << bogus_id;
}

// Voucherify's payloads disagree with its own schema at times; refusing
// would make it retry and then disable the webhook, losing the event.
TEST_F(GatewayE2eTest, OddValueIsStoredNotRefused) {
  const std::string seed = UniqueSeed(kIdPrefix);
  const std::string voucher_active =
      "\"active\": true,\n      \"object\": \"voucher\"";
  ASSERT_NE(seed.find(voucher_active), std::string::npos);
  const std::string body = absl::StrReplaceAll(
      seed, {{voucher_active,
              "\"active\": \"yes\",\n      \"object\": \"voucher\""}});
  auto response = stack_->Post(kTypedPath, body, Signed(body));
  ASSERT_THAT(response, IsOk());
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_THAT(response->body, HasSubstr("\"duplicate\":false"));

  auto stored = stack_->GetBySeq(SeqOf(*response));
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->raw(), body);
  ASSERT_EQ(stored->odd_values_size(), 1);
  EXPECT_EQ(stored->odd_values(0).path(), "vouchers[0].active");
  EXPECT_EQ(stored->odd_values(0).reason(), "expected a boolean, got string");
  EXPECT_THAT(stored->unknown_fields(),
              ::testing::Contains("vouchers[0].active"));
  EXPECT_THAT(stored->enrichment().flags(),
              ::testing::Contains(v1::Enrichment::FLAG_ODD_VALUES));
  // Everything else is typed.
  const auto& payload = stored->publication_succeeded();
  ASSERT_EQ(payload.vouchers_size(), 1);
  EXPECT_FALSE(payload.vouchers(0).has_active());
  EXPECT_EQ(payload.vouchers(0).code(), "ZERO-8");
  EXPECT_TRUE(payload.campaign().active());
  EXPECT_EQ(stored->enrichment().campaign_id(),
            "camp_EV79Z6CjaAMpX4pFxVivvzzk");
}

TEST_F(GatewayE2eTest, SameSendTwiceStoresOneEvent) {
  const std::string seed = UniqueSeed(kIdPrefix);
  auto first = stack_->Post(kTypedPath, seed, Signed(seed));
  auto second = stack_->Post(kTypedPath, seed, Signed(seed));
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  ASSERT_EQ(first->status, 200) << first->body;
  ASSERT_EQ(second->status, 200) << second->body;
  EXPECT_EQ(SeqOf(*first), SeqOf(*second));
  EXPECT_THAT(second->body, HasSubstr("\"duplicate\":true"));
  EXPECT_EQ(second->Header("x-vouchstream-duplicate"), "true");
  EXPECT_TRUE(first->Header("x-vouchstream-duplicate").empty());
  // Nothing was stored after the first one for this body.
  auto next = stack_->GetBySeq(SeqOf(*first) + 1);
  if (next.ok()) {
    EXPECT_NE(next->raw(), seed);
  }
}

TEST_F(GatewayE2eTest, TwoHundredConcurrentKeepAliveConnections) {
  constexpr int kConnections = 200;
  constexpr int kRounds = 3;
  std::vector<std::unique_ptr<HttpConnection>> connections;
  for (int i = 0; i < kConnections; ++i) {
    auto connection = std::make_unique<HttpConnection>();
    ASSERT_THAT(connection->Connect("127.0.0.1", stack_->gateway->port()),
                IsOk());
    connections.push_back(std::move(connection));
  }
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::string> bodies;
    // Every connection has a request in flight before any answer is read.
    for (auto& connection : connections) {
      bodies.push_back(UniqueSeed(kIdPrefix));
      ASSERT_THAT(connection->Send("POST", kTypedPath, bodies.back(),
                                   Signed(bodies.back())),
                  IsOk());
    }
    for (auto& connection : connections) {
      auto response = connection->Receive();
      ASSERT_THAT(response, IsOk());
      ASSERT_EQ(response->status, 200) << response->body;
      EXPECT_THAT(response->body, HasSubstr("\"duplicate\":false"));
    }
  }
}

TEST(GatewayRestartTest, ServiceDownIs503ThenRetryLands) {
  Stack stack;
  ASSERT_THAT(stack.Start(), IsOk());
  const int server_port = stack.server->port();
  const std::string seed = UniqueSeed(kIdPrefix);
  ASSERT_THAT(stack.server->Stop(SIGKILL), IsOk());
  stack.server.reset();

  auto down = stack.Post(kTypedPath, seed, Signed(seed));
  ExpectJsonError(down, 503, "");
  EXPECT_EQ(down->Header("retry-after"), "5");
  auto not_ready = HttpGet(stack.gateway->port(), "/readyz");
  ASSERT_THAT(not_ready, IsOk());
  EXPECT_EQ(not_ready->status, 503);

  ASSERT_THAT(stack.StartServer(server_port), IsOk());
  // The sender retries (Voucherify would, later); the first retry after the
  // restart may still meet the old stream's backoff, so retry briefly.
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  absl::StatusOr<HttpResponse> retry;
  do {
    retry = stack.Post(kTypedPath, seed, Signed(seed));
    if (retry.ok() && retry->status == 200) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  ASSERT_THAT(retry, IsOk());
  ASSERT_EQ(retry->status, 200) << retry->body;
  auto stored = stack.GetBySeq(SeqOf(*retry));
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->raw(), seed);
}

}  // namespace
}  // namespace vouchstream::testing

// The gateway publishing into a server with access control: its
// --upstream-token-file names a principal with the publish scope, and a
// token the access file does not list gets no event stored. Real
// vouchstream-server and vouchstream-gateway processes on 127.0.0.1.

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "service/auth/token_hash.h"
#include "tests/auth/auth_server.h"
#include "tests/testing/gateway_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {
namespace {

constexpr const char* kSecret = "gateway-token-secret";
constexpr const char* kSeedPublicationId =
    "pub_r0413bLwExpB6LE0v286eNVmEpx6NxmP";

std::string Hash(const std::string& token) {
  return auth::DigestHex(auth::HashToken(token));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// One signed webhook with publication id `id` through the gateway on
// `port`: its answer.
WebhookLoad::Request SendOne(int port, const std::string& id) {
  WebhookLoad::Options options;
  options.port = port;
  options.body = ReadFile(VS_TESTDATA_DIR "/publication.succeeded.seed.json");
  options.placeholder = kSeedPublicationId;
  options.ids = {id};
  options.secret = kSecret;
  options.connections = 1;
  WebhookLoad load(options);
  EXPECT_TRUE(load.WaitUntil(
      [](const WebhookLoad::Counts& c) { return c.answered() >= 1; },
      absl::Seconds(30)));
  load.Stop();
  const std::vector<WebhookLoad::Request> requests = load.requests();
  EXPECT_EQ(requests.size(), 1U);
  return requests.empty() ? WebhookLoad::Request{} : requests.front();
}

// Whether event `id` is in the log, as `reader` sees it.
bool Stored(v1::EventService::Stub& reader, const std::string& id) {
  grpc::ClientContext context;
  v1::GetEventRequest request;
  request.set_id(id);
  v1::GetEventResponse response;
  return reader.GetEvent(&context, request, &response).ok();
}

TEST(GatewayTokenTest,
     GatewayPublishesWithItsTokenAndAnUnknownOneStoresNothing) {
  TempDir dir;
  WriteFile(dir.File("access.json"),
            absl::StrCat(R"({"principals": [
              {"name": "gateway", "token_sha256": [")",
                         Hash("gw-token"), R"("], "scopes": {"publish": true}},
              {"name": "reader", "token_sha256": [")",
                         Hash("reader-token"),
                         R"("], "scopes": {"subscribe": {}}}]})"));
  auto server = AuthServer::Start(dir, {"--access=" + dir.File("access.json")});
  ASSERT_THAT(server.status(), IsOk());
  WriteFile(dir.File("gw.token"), "gw-token\n");
  WriteFile(dir.File("wrong.token"), "not-listed\n");

  GatewayProcess::Options options;
  options.upstream = (*server)->address();
  options.secret = kSecret;
  options.secret_dir = dir.path();
  options.extra_args = {"--upstream-token-file=" + dir.File("gw.token")};
  auto gateway = GatewayProcess::Start(options);
  ASSERT_THAT(gateway, IsOk());
  const WebhookLoad::Request accepted =
      SendOne((*gateway)->port(), "pub_with_token");
  EXPECT_EQ(accepted.http_status, 200) << accepted.error_body;

  options.extra_args = {"--upstream-token-file=" + dir.File("wrong.token")};
  auto wrong = GatewayProcess::Start(options);
  ASSERT_THAT(wrong, IsOk());  // Health stays open: readiness holds.
  const WebhookLoad::Request refused =
      SendOne((*wrong)->port(), "pub_wrong_token");
  EXPECT_NE(refused.http_status / 100, 2) << "an unknown token was accepted";
  EXPECT_GE(refused.http_status, 400) << refused.error_body;

  auto reader = v1::EventService::NewStub((*server)->Channel("reader-token"));
  EXPECT_TRUE(Stored(*reader, "pub_with_token"));
  EXPECT_FALSE(Stored(*reader, "pub_wrong_token"));
  std::cout << "[gateway token] listed token: HTTP " << accepted.http_status
            << ", stored; unlisted token: HTTP " << refused.http_status
            << ", nothing stored\n";
}

}  // namespace
}  // namespace vouchstream::testing

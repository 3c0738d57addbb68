// Health and reflection need no token unless the access file leaves them
// out of `open_services`; then they are not served at all.

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"

#include "tests/auth/auth_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {
namespace {

using grpc::reflection::v1alpha::ServerReflection;
using grpc::reflection::v1alpha::ServerReflectionRequest;
using grpc::reflection::v1alpha::ServerReflectionResponse;

// Lists the services over reflection v1alpha, without a token.
grpc::Status ListServices(const std::shared_ptr<grpc::Channel>& channel,
                          ServerReflectionResponse* response) {
  auto stub = ServerReflection::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  auto stream = stub->ServerReflectionInfo(&context);
  ServerReflectionRequest request;
  request.set_list_services("");
  stream->Write(request);
  stream->WritesDone();
  while (stream->Read(response)) {
  }
  return stream->Finish();
}

TEST(OpenServicesTest, HealthAndReflectionAreOpenByDefault) {
  TempDir dir;
  WriteFile(dir.File("access.json"), R"({"principals": []})");
  // Start() waits on the health check without a token.
  auto server = AuthServer::Start(dir, {"--access=" + dir.File("access.json")});
  ASSERT_THAT(server.status(), IsOk());
  ServerReflectionResponse response;
  ASSERT_TRUE(ListServices((*server)->Channel(""), &response).ok());
  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_THAT(names, ::testing::Contains("vouchstream.v1.EventService"));
}

TEST(OpenServicesTest, AServiceLeftOutIsNotServed) {
  TempDir dir;
  WriteFile(dir.File("access.json"),
            R"({"principals": [],
                "open_services": ["grpc.health.v1.Health"]})");
  auto server = AuthServer::Start(dir, {"--access=" + dir.File("access.json")});
  ASSERT_THAT(server.status(), IsOk());
  ServerReflectionResponse response;
  EXPECT_EQ(ListServices((*server)->Channel(""), &response).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace vouchstream::testing

// The reference file is read at start and again on SIGHUP: new events get
// the new facts, stored events keep the facts they were enriched with.

#include <signal.h>

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_events.h"
#include "tests/testing/test_store.h"

namespace vouchstream::testing {
namespace {

// The seed's campaign.
constexpr char kCampaign[] = "camp_EV79Z6CjaAMpX4pFxVivvzzk";

void WriteReference(const std::string& path, const std::string& team) {
  std::ofstream out(path, std::ios::trunc);
  out << R"({"campaigns": {")" << kCampaign << R"(": {"owner_team": ")" << team
      << R"("}}})";
}

// The `owner_team` reference fact of the stored event `seq` ("" if none).
std::string OwnerTeamOf(v1::EventService::Stub& stub, uint64_t seq) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::GetEventRequest request;
  request.set_seq(seq);
  v1::GetEventResponse response;
  const grpc::Status status = stub.GetEvent(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  const auto& reference = response.event().enrichment().reference();
  const auto found = reference.find("owner_team");
  return found == reference.end() ? "" : found->second;
}

class ReferenceReloadTest : public ::testing::TestWithParam<StoreKind> {};

TEST_P(ReferenceReloadTest, SighupSwapsTheFactsForNewEventsOnly) {
  TempDir dir;  // The reference file exists before the server starts.
  const std::string reference = dir.File("reference.json");
  WriteReference(reference, "growth");
  Deployment::Options options;
  options.store = GetParam();
  options.server_args = {"--reference=" + reference};
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  auto stub = d.NewStub();

  absl::StatusOr<v1::PublishResponse> first =
      Publish(*stub, SeedEvent("pub_ref0"));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(OwnerTeamOf(*stub, first->seq()), "growth");

  WriteReference(reference, "retention");
  ASSERT_EQ(kill(d.server().pid(), SIGHUP), 0);
  // The server reloads on its own signal thread; new events show when. Wait
  // for that condition, bounded, rather than for a fixed time.
  std::string seen;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (int i = 1; seen != "retention" && absl::Now() < deadline; ++i) {
    absl::StatusOr<v1::PublishResponse> next =
        Publish(*stub, SeedEvent(absl::StrCat("pub_ref", i)));
    ASSERT_THAT(next, IsOk());
    seen = OwnerTeamOf(*stub, next->seq());
    ASSERT_THAT(seen, ::testing::AnyOf("growth", "retention"));
  }
  EXPECT_EQ(seen, "retention");
  // What was stored stays as it was enriched.
  EXPECT_EQ(OwnerTeamOf(*stub, first->seq()), "growth");
  stub.reset();  // Our connection would hold the server's drain.
  EXPECT_THAT(d.StopServer(), IsOk());
}

INSTANTIATE_TEST_SUITE_P(Stores, ReferenceReloadTest, AllStores(), StoreName);

}  // namespace
}  // namespace vouchstream::testing

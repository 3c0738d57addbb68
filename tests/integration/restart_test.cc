// Resume across a server restart on the same SQLite file, and retention.

#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_events.h"
#include "tests/testing/test_store.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;

std::vector<v1::Event> Events(const std::string& prefix, int count) {
  std::vector<v1::Event> events;
  for (int i = 0; i < count; ++i) {
    events.push_back(SeedEvent(absl::StrCat(prefix, i)));
  }
  return events;
}

class RestartTest : public ::testing::TestWithParam<StoreKind> {};

TEST_P(RestartTest, ResumeAfterRestartHasNoGapAndNoDuplicate) {
  auto deployment = Deployment::Start(GetParam());
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  auto stub = d.NewStub();
  ASSERT_THAT(PublishMany(*stub, Events("pub_before_", 30)), IsOk());

  std::vector<uint64_t> seen;
  {
    v1::SubscribeRequest request;
    request.set_from(v1::BOUNDARY_EARLIEST);
    Subscriber subscriber(*stub, request);
    ASSERT_TRUE(subscriber.ReadUntil(10));
    absl::Status stopped;
    std::thread stopper([&] { stopped = d.StopServer(); });
    // The drain ends the stream with a status clients resume from.
    EXPECT_EQ(subscriber.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
    stopper.join();
    ASSERT_THAT(stopped, IsOk());
    seen = subscriber.received().seqs;
  }
  ASSERT_GE(seen.size(), 10u);

  ASSERT_THAT(d.RestartServer(), IsOk());
  stub = d.NewStub();
  ASSERT_THAT(PublishMany(*stub, Events("pub_after_", 30)), IsOk());
  // A retry of an event stored before the restart is still a duplicate.
  auto retry = Publish(*stub, SeedEvent("pub_before_0"));
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->duplicate());
  EXPECT_EQ(retry->seq(), 1u);

  v1::SubscribeRequest resume;
  resume.set_after_seq(seen.back());
  Subscriber subscriber(*stub, resume);
  ASSERT_TRUE(subscriber.ReadUntilCaughtUp());
  seen.insert(seen.end(), subscriber.received().seqs.begin(),
              subscriber.received().seqs.end());
  std::vector<uint64_t> want(60);
  std::iota(want.begin(), want.end(), 1);
  EXPECT_EQ(seen, want);
  EXPECT_THAT(d.StopServer(), IsOk());
}

TEST_P(RestartTest, StartBehindRetentionIsOutOfRangeNamingTheOldestSeq) {
  Deployment::Options options;
  options.store = GetParam();
  options.server_args = {"--retention_max_count=5"};
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  {
    auto stub = d.NewStub();
    ASSERT_THAT(PublishMany(*stub, Events("pub_old_", 20)), IsOk());
    stub.reset();  // Our connection would hold the server's drain.
    ASSERT_THAT(d.StopServer(), IsOk());
  }
  // Retention runs when the log opens: seqs 16..20 remain.
  ASSERT_THAT(d.RestartServer(), IsOk());
  auto stub = d.NewStub();

  {
    v1::SubscribeRequest behind;
    behind.set_after_seq(3);
    Subscriber late(*stub, behind);
    const grpc::Status status = late.Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
    EXPECT_THAT(status.error_message(), HasSubstr("16"));

    v1::SubscribeRequest earliest;
    earliest.set_from(v1::BOUNDARY_EARLIEST);
    Subscriber subscriber(*stub, earliest);
    ASSERT_TRUE(subscriber.ReadUntilCaughtUp());
    EXPECT_THAT(subscriber.received().seqs,
                ::testing::ElementsAre(16, 17, 18, 19, 20));
  }
  stub.reset();  // Our connection would hold the server's drain.
  EXPECT_THAT(d.StopServer(), IsOk());
}

INSTANTIATE_TEST_SUITE_P(Stores, RestartTest, AllStores(), StoreName);

}  // namespace
}  // namespace vouchstream::testing

// A subscriber that does not keep up is neither dropped nor allowed to make
// the server buffer without bound.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
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

constexpr int kEvents = 20000;
constexpr int kBatch = 1000;
// Generous: it leaves room for the store's page caches (the writer's alone
// may take 32 MiB) and gRPC's buffers, while the events themselves are
// ~140 MB in memory (raw body + typed message each), so a server that
// queued them for the stalled reader would grow by far more than this.
constexpr int64_t kMaxGrowthKib = 100 * 1024;

class SlowSubscriberTest : public ::testing::TestWithParam<StoreKind> {};

TEST_P(SlowSubscriberTest, GetsEveryEventInOrderWhileServerMemoryStaysBounded) {
  auto deployment = Deployment::Start(GetParam());
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  auto stub = d.NewStub();

  // Warm up allocator pools and connections before the baseline.
  ASSERT_THAT(PublishMany(*stub, {SeedEvent("pub_warm")}), IsOk());
  v1::SubscribeRequest request;
  request.set_from(v1::BOUNDARY_EARLIEST);
  Subscriber slow(*stub, request, absl::Minutes(5));
  ASSERT_TRUE(slow.ReadUntilCaughtUp());
  auto baseline = d.server().RssKib();
  ASSERT_THAT(baseline, IsOk());

  // The subscriber reads nothing while the events are published: the
  // slowest reader there is.
  int64_t peak = *baseline;
  for (int start = 0; start < kEvents; start += kBatch) {
    std::vector<v1::Event> events;
    for (int i = start; i < start + kBatch; ++i) {
      events.push_back(SeedEvent(absl::StrCat("pub_slow_", i)));
    }
    ASSERT_THAT(PublishMany(*stub, events), IsOk());
    auto rss = d.server().RssKib();
    ASSERT_THAT(rss, IsOk());
    peak = std::max(peak, *rss);
  }
  EXPECT_LT(peak - *baseline, kMaxGrowthKib)
      << "baseline " << *baseline << " KiB, peak " << peak << " KiB";

  ASSERT_TRUE(slow.ReadUntil(kEvents + 1));
  std::vector<uint64_t> want(kEvents + 1);
  std::iota(want.begin(), want.end(), 1);
  EXPECT_EQ(slow.received().seqs, want);
  EXPECT_EQ(slow.received().caught_up, 1);
  RecordProperty("rss_baseline_kib", std::to_string(*baseline));
  RecordProperty("rss_peak_kib", std::to_string(peak));
  EXPECT_THAT(d.StopServer(), IsOk());
}

INSTANTIATE_TEST_SUITE_P(Stores, SlowSubscriberTest, AllStores(), StoreName);

}  // namespace
}  // namespace vouchstream::testing

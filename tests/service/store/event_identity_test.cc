// Event identity (issue 20) on both stores, the same cases for each: an
// event is (type, id), never the id alone; a content-hash id deduplicates
// only within the content-hash window; the rule that made an id is kept.
// SQLite on a file in the test's temp dir, JetStream on a real nats-server;
// time is a fake clock.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "service/store/jetstream_event_log.h"
#include "service/store/sqlite_event_log.h"
#include "tests/service/store/store_test_util.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::store {
namespace {

using ::testing::_;
using ::testing::Property;
using ::vouchstream::store::testing::AppendAndWait;
using ::vouchstream::store::testing::FakeClock;
using ::vouchstream::store::testing::IsOkAndHolds;
using ::vouchstream::store::testing::MakeEvent;
using ::vouchstream::store::testing::TempDir;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::NatsServer;
using ::vouchstream::testing::StatusIs;

MATCHER_P2(IsAppend, seq, duplicate, "") {
  return arg.ok() && arg->seq == static_cast<uint64_t>(seq) &&
         arg->duplicate == duplicate;
}

constexpr absl::Duration kWindow = absl::Hours(60);

// How many events the log holds, read from the store itself: LastSeq() is
// the seq the commit feed has delivered, which on JetStream may trail the
// answered appends.
size_t StoredEvents(core::EventLog& log) {
  absl::StatusOr<std::vector<v1::Event>> events = log.ReadAfter(0, 100);
  EXPECT_THAT(events, IsOk());
  return events.ok() ? events->size() : 0;
}

v1::Event WithRule(v1::Event event, v1::IdRule rule) {
  event.set_id_rule(rule);
  return event;
}

// The same id-less body's content hash, as the gateway makes it.
v1::Event ContentHash(const std::string& type) {
  return WithRule(MakeEvent("sha256:5e9d", type), v1::ID_RULE_CONTENT_HASH);
}

class EventIdentityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "nats") {
      NatsServer::Options nats;
      nats.dir = dir_.File("nats");
      auto server = NatsServer::Start(nats);
      ASSERT_THAT(server, IsOk());
      nats_ = *std::move(server);
    }
  }

  std::unique_ptr<core::EventLog> OpenLog() {
    const auto now = [this] { return clock_.Now(); };
    if (GetParam() == "sqlite") {
      SqliteEventLog::Options options;
      options.path = dir_.File("events.db");
      options.content_hash_window = kWindow;
      options.now = now;
      auto log = SqliteEventLog::Open(options);
      EXPECT_THAT(log, IsOk());
      return log.ok() ? *std::move(log) : nullptr;
    }
    JetStreamEventLog::Options options;
    options.servers = {nats_->url()};
    options.stream = "EVENTS";
    options.content_hash_window = kWindow;
    options.now = now;
    auto log = JetStreamEventLog::Open(options);
    EXPECT_THAT(log, IsOk());
    return log.ok() ? *std::move(log) : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<NatsServer> nats_;
  FakeClock clock_{absl::Now()};
};

// Voucherify's `customer.segment.entered` and `.left` bodies can be the same
// bytes: their content hash is the same id, and both must be stored.
TEST_P(EventIdentityTest, TheSameIdUnderAnotherTypeIsANewEvent) {
  std::unique_ptr<core::EventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(AppendAndWait(*log, ContentHash("customer.segment.entered")),
              IsAppend(1, false));
  EXPECT_THAT(AppendAndWait(*log, ContentHash("customer.segment.left")),
              IsAppend(2, false));
  EXPECT_THAT(
      AppendAndWait(*log, WithRule(MakeEvent("r_1", "redemption.succeeded"),
                                   v1::ID_RULE_BODY_ID)),
      IsAppend(3, false));
  EXPECT_THAT(
      AppendAndWait(*log, WithRule(MakeEvent("r_1", "redemption.failed"),
                                   v1::ID_RULE_BODY_ID)),
      IsAppend(4, false));
  // Each retry finds its own event.
  EXPECT_THAT(AppendAndWait(*log, ContentHash("customer.segment.left")),
              IsAppend(2, true));
  EXPECT_THAT(
      AppendAndWait(*log, WithRule(MakeEvent("r_1", "redemption.succeeded"),
                                   v1::ID_RULE_BODY_ID)),
      IsAppend(3, true));
  EXPECT_EQ(StoredEvents(*log), 4U);
}

TEST_P(EventIdentityTest, ARealIdDeduplicatesForever) {
  std::unique_ptr<core::EventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  const v1::Event event = WithRule(MakeEvent("evcus_1", "customer.created"),
                                   v1::ID_RULE_ENVELOPE_EVENT_ID);
  EXPECT_THAT(AppendAndWait(*log, event), IsAppend(1, false));
  clock_.Advance(kWindow * 10);
  EXPECT_THAT(AppendAndWait(*log, event), IsAppend(1, true));
}

TEST_P(EventIdentityTest, AContentHashDeduplicatesWithinTheWindowOnly) {
  std::unique_ptr<core::EventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  const std::string type = "customer.segment.entered";
  EXPECT_THAT(AppendAndWait(*log, ContentHash(type)), IsAppend(1, false));
  // Voucherify's last retry comes about 58 hours after the first try.
  clock_.Advance(kWindow - absl::Minutes(1));
  EXPECT_THAT(AppendAndWait(*log, ContentHash(type)), IsAppend(1, true));
  // Past the window the same body is a new event: the customer left the
  // segment and entered it again.
  clock_.Advance(absl::Minutes(2));
  EXPECT_THAT(AppendAndWait(*log, ContentHash(type)), IsAppend(2, false));
  // ... whose own retry is its duplicate.
  EXPECT_THAT(AppendAndWait(*log, ContentHash(type)), IsAppend(2, true));
  EXPECT_EQ(StoredEvents(*log), 2U);
}

TEST_P(EventIdentityTest, GetByIdTakesATypeOrFindsTheNewest) {
  std::unique_ptr<core::EventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_THAT(AppendAndWait(*log, ContentHash("customer.segment.entered")),
              IsAppend(1, false));
  ASSERT_THAT(AppendAndWait(*log, ContentHash("customer.segment.left")),
              IsAppend(2, false));
  EXPECT_THAT(log->GetById("customer.segment.entered", "sha256:5e9d"),
              IsOkAndHolds(Property(&v1::Event::seq, uint64_t{1})));
  EXPECT_THAT(log->GetById("customer.segment.left", "sha256:5e9d"),
              IsOkAndHolds(Property(&v1::Event::seq, uint64_t{2})));
  EXPECT_THAT(log->GetById("sha256:5e9d"),
              IsOkAndHolds(Property(&v1::Event::seq, uint64_t{2})));
  EXPECT_THAT(log->GetById("customer.created", "sha256:5e9d"),
              StatusIs(absl::StatusCode::kNotFound, _));
}

TEST_P(EventIdentityTest, TheRuleThatMadeAnIdIsStoredWithIt) {
  std::unique_ptr<core::EventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_THAT(AppendAndWait(*log, ContentHash("customer.segment.entered")),
              IsAppend(1, false));
  ASSERT_THAT(
      AppendAndWait(*log, WithRule(MakeEvent("pub_1", "publication.succeeded"),
                                   v1::ID_RULE_BODY_ID)),
      IsAppend(2, false));
  EXPECT_THAT(
      log->GetBySeq(1),
      IsOkAndHolds(Property(&v1::Event::id_rule, v1::ID_RULE_CONTENT_HASH)));
  EXPECT_THAT(log->GetBySeq(2),
              IsOkAndHolds(Property(&v1::Event::id_rule, v1::ID_RULE_BODY_ID)));
}

INSTANTIATE_TEST_SUITE_P(Stores, EventIdentityTest,
                         ::testing::Values("sqlite", "nats"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return p.param;
                         });

}  // namespace
}  // namespace vouchstream::store

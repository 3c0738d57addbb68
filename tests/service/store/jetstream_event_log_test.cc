// The JetStream event log against a real `nats-server -js`, one per test on
// a kernel-picked port with its store in the test's temp dir.

#include "service/store/jetstream_event_log.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <nats/nats.h>

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "service/store/jetstream_url.h"
#include "tests/service/store/store_test_util.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::store {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Property;
using ::vouchstream::store::testing::AppendAndWait;
using ::vouchstream::store::testing::AppendCollector;
using ::vouchstream::store::testing::IsOkAndHolds;
using ::vouchstream::store::testing::MakeEvent;
using ::vouchstream::store::testing::TempDir;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::NatsServer;
using ::vouchstream::testing::StatusIs;

using AppendResult = core::EventLog::AppendResult;

MATCHER_P2(IsAppend, seq, duplicate, "") {
  return arg.ok() && arg->seq == static_cast<uint64_t>(seq) &&
         arg->duplicate == duplicate;
}

// Records what the commit listener is handed, and waits for it.
class FeedRecorder {
 public:
  core::EventLog::CommitListener Listener() {
    return [this](const std::vector<v1::Event>& committed) {
      absl::MutexLock lock(&mu_);
      for (const v1::Event& event : committed) {
        seqs_.push_back(event.seq());
        ids_.push_back(event.id());
      }
    };
  }
  // Waits (bounded against hangs) until `count` events arrived.
  bool WaitFor(size_t count) {
    absl::MutexLock lock(&mu_);
    const auto enough = [this, count]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return seqs_.size() >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30));
  }
  std::vector<uint64_t> seqs() const {
    absl::MutexLock lock(&mu_);
    return seqs_;
  }
  std::vector<std::string> ids() const {
    absl::MutexLock lock(&mu_);
    return ids_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<uint64_t> seqs_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
};

class JetStreamEventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NatsServer::Options nats;
    nats.dir = dir_.File("nats");
    auto server = NatsServer::Start(nats);
    ASSERT_THAT(server, IsOk());
    nats_ = *std::move(server);
    options_.servers = {nats_->url()};
    options_.stream = "EVENTS";
  }

  std::unique_ptr<JetStreamEventLog> OpenLog() {
    absl::StatusOr<std::unique_ptr<JetStreamEventLog>> log =
        JetStreamEventLog::Open(options_);
    EXPECT_THAT(log, IsOk());
    return log.ok() ? *std::move(log) : nullptr;
  }

  // Publishes `event` straight into the stream with its identity as
  // Nats-Msg-Id,
  // as a service that crashed right after the PubAck (before writing the id
  // keys) leaves it. Returns the stream sequence.
  uint64_t PublishRaw(const v1::Event& event) {
    natsConnection* connection = nullptr;
    EXPECT_EQ(natsConnection_ConnectTo(&connection, nats_->url().c_str()),
              NATS_OK);
    jsCtx* js = nullptr;
    EXPECT_EQ(natsConnection_JetStream(&js, connection, nullptr), NATS_OK);
    jsPubOptions pub_options;
    jsPubOptions_Init(&pub_options);
    // The message id the log gives an event: its identity (type, id).
    const std::string msg_id = absl::StrCat(event.type(), "/", event.id());
    pub_options.MsgId = msg_id.c_str();
    const std::string payload = event.SerializeAsString();
    const std::string subject =
        JetStreamEventLog::SubjectFor(options_.subject_prefix, event.type());
    jsPubAck* ack = nullptr;
    EXPECT_EQ(
        js_Publish(&ack, js, subject.c_str(), payload.data(),
                   static_cast<int>(payload.size()), &pub_options, nullptr),
        NATS_OK);
    const uint64_t seq = ack == nullptr ? 0 : ack->Sequence;
    jsPubAck_Destroy(ack);
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
    return seq;
  }

  TempDir dir_;
  std::unique_ptr<NatsServer> nats_;
  JetStreamEventLog::Options options_;
};

TEST_F(JetStreamEventLogTest, AppendAssignsStreamSequencesReadableEveryWay) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LastSeq(), 0u);
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(1u));
  FeedRecorder feed;
  log->SetCommitListener(feed.Listener());

  EXPECT_THAT(AppendAndWait(*log, MakeEvent("a")), IsAppend(1, false));
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("b", "voucher.published")),
              IsAppend(2, false));
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("c")), IsAppend(3, false));
  ASSERT_TRUE(feed.WaitFor(3));
  EXPECT_THAT(feed.seqs(), ElementsAre(1, 2, 3));
  EXPECT_EQ(log->LastSeq(), 3u);

  absl::StatusOr<v1::Event> b = log->GetBySeq(2);
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(b->id(), "b");
  EXPECT_EQ(b->seq(), 2u);
  EXPECT_TRUE(b->has_received_at());
  EXPECT_THAT(log->GetById("c"),
              IsOkAndHolds(Property(&v1::Event::seq, uint64_t{3})));
  EXPECT_THAT(log->GetBySeq(4), StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(log->GetById("nope"), StatusIs(absl::StatusCode::kNotFound, _));

  absl::StatusOr<std::vector<v1::Event>> after = log->ReadAfter(1, 10);
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].id(), "b");
  EXPECT_EQ((*after)[1].seq(), 3u);
  EXPECT_THAT(log->ReadAfter(0, 1),
              IsOkAndHolds(ElementsAre(Property(&v1::Event::id, "a"))));
  EXPECT_THAT(log->ReadAfter(3, 10), IsOkAndHolds(::testing::IsEmpty()));
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(1u));
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("")),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

// The ids of `result`'s events.
std::vector<std::string> Ids(const core::EventLog::ReadResult& result) {
  std::vector<std::string> ids;
  for (const v1::Event& event : result.events) {
    ids.push_back(event.id());
  }
  return ids;
}

core::EventLog::ReadRequest Matching(uint64_t after_seq, size_t limit,
                                     std::vector<std::string> types) {
  core::EventLog::ReadRequest request;
  request.after_seq = after_seq;
  request.limit = limit;
  request.types = std::move(types);
  return request;
}

TEST_F(JetStreamEventLogTest, ReadMatchingFiltersOnTheServerBySubject) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_THAT(AppendAndWait(*log, MakeEvent("a", "publication.succeeded")),
              IsOk());
  ASSERT_THAT(AppendAndWait(*log, MakeEvent("b", "voucher.published")), IsOk());
  ASSERT_THAT(AppendAndWait(*log, MakeEvent("c", "publication.succeeded")),
              IsOk());
  ASSERT_THAT(AppendAndWait(*log, MakeEvent("d", "redemption.succeeded")),
              IsOk());
  const uint64_t read_before = log->stats().events_read;

  absl::StatusOr<core::EventLog::ReadResult> publications =
      log->ReadMatching(Matching(0, 10, {"publication.*"}));
  ASSERT_THAT(publications, IsOk());
  EXPECT_THAT(Ids(*publications), ElementsAre("a", "c"));
  // Short page: everything up to the stream's end was considered.
  EXPECT_EQ(publications->scanned_through, 4u);
  // JetStream sent only the matching events.
  EXPECT_EQ(log->stats().events_read - read_before, 2u);

  absl::StatusOr<core::EventLog::ReadResult> vouchers =
      log->ReadMatching(Matching(0, 10, {"voucher.published"}));
  ASSERT_THAT(vouchers, IsOk());
  EXPECT_THAT(Ids(*vouchers), ElementsAre("b"));
  EXPECT_EQ(vouchers->scanned_through, 4u);

  // A full page ends at its last event.
  absl::StatusOr<core::EventLog::ReadResult> first =
      log->ReadMatching(Matching(0, 1, {"publication.*"}));
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(Ids(*first), ElementsAre("a"));
  EXPECT_EQ(first->scanned_through, 1u);

  absl::StatusOr<core::EventLog::ReadResult> none =
      log->ReadMatching(Matching(1, 10, {"campaign.*"}));
  ASSERT_THAT(none, IsOk());
  EXPECT_THAT(none->events, ::testing::IsEmpty());
  EXPECT_EQ(none->scanned_through, 4u);

  // No subject for "*.succeeded": read from the stream leader, filtered
  // here.
  const uint64_t read_wide = log->stats().events_read;
  absl::StatusOr<core::EventLog::ReadResult> wide =
      log->ReadMatching(Matching(0, 10, {"*.succeeded"}));
  ASSERT_THAT(wide, IsOk());
  EXPECT_THAT(Ids(*wide), ElementsAre("a", "c", "d"));
  EXPECT_EQ(wide->scanned_through, 4u);
  EXPECT_EQ(log->stats().events_read, read_wide);  // no consumer involved

  absl::StatusOr<core::EventLog::ReadResult> at_end =
      log->ReadMatching(Matching(4, 10, {"publication.*"}));
  ASSERT_THAT(at_end, IsOk());
  EXPECT_THAT(at_end->events, ::testing::IsEmpty());
  EXPECT_EQ(at_end->scanned_through, 4u);
}

TEST_F(JetStreamEventLogTest, ReadAfterReadsLongPagesInOrder) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  constexpr int kEvents = 2500;
  AppendCollector collector(kEvents);
  for (int i = 1; i <= kEvents; ++i) {
    const std::string id = absl::StrCat("ev_", i);
    log->Append(MakeEvent(id), collector.Done(id));
  }
  collector.Wait();
  absl::StatusOr<std::vector<v1::Event>> all = log->ReadAfter(0, kEvents + 10);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), static_cast<size_t>(kEvents));
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].seq(), i + 1);
  }
  absl::StatusOr<std::vector<v1::Event>> tail = log->ReadAfter(2400, 50);
  ASSERT_THAT(tail, IsOk());
  ASSERT_EQ(tail->size(), 50u);
  EXPECT_EQ(tail->front().seq(), 2401u);
  EXPECT_EQ(tail->back().seq(), 2450u);
}

TEST_F(JetStreamEventLogTest, RetryGetsTheOriginalSeqAsDuplicate) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("x", "t", "", "whs_1")),
              IsAppend(1, false));
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("y")), IsAppend(2, false));
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("x", "t")), IsAppend(1, true));
  // The same id under another type is another event (identity is the pair).
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("x", "u")), IsAppend(3, false));
  // Another id with the same envelope id: the same send-out.
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("z", "t", "", "whs_1")),
              IsAppend(1, true));
  EXPECT_EQ(log->stats().duplicates_by_key, 2u);
  EXPECT_EQ(log->stats().events_appended, 3u);
}

// Voucherify retries for more than a day, far beyond any in-memory dedup
// window: the id keys answer the late retry.
TEST_F(JetStreamEventLogTest, RetryAfterTheDuplicateWindowIsStillDuplicate) {
  options_.duplicate_window = absl::Milliseconds(100);
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("late")), IsAppend(1, false));
  // Outlive the window (JetStream forgets the Nats-Msg-Id after it).
  absl::SleepFor(absl::Milliseconds(400));
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("late")), IsAppend(1, true));
  EXPECT_EQ(log->stats().duplicates_by_key, 1u);
}

// The crash window: an event in the stream whose id keys were never written
// (the service died between PubAck and the key write). A retry inside the
// window is deduplicated by JetStream and restores the keys.
TEST_F(JetStreamEventLogTest, RetryOfAnUnindexedEventIsCaughtByTheWindow) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("first")), IsAppend(1, false));
  ASSERT_EQ(PublishRaw(MakeEvent("orphan")), 2u);
  EXPECT_THAT(log->GetById("orphan"), StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("orphan")), IsAppend(2, true));
  EXPECT_EQ(log->stats().duplicates_by_window, 1u);
  EXPECT_THAT(log->GetById("orphan"),
              IsOkAndHolds(Property(&v1::Event::seq, uint64_t{2})));
}

// ... and a service that opens the stream restores the keys of the recent
// past, so that a retry after the window is still caught.
TEST_F(JetStreamEventLogTest, OpenRestoresTheIdKeysOfRecentEvents) {
  {
    auto log = OpenLog();
    ASSERT_NE(log, nullptr);
    EXPECT_THAT(AppendAndWait(*log, MakeEvent("kept")), IsAppend(1, false));
  }
  ASSERT_EQ(PublishRaw(MakeEvent("orphan")), 2u);
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  // The re-indexing runs in the background after Open.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!log->stats().repair_done && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE(log->stats().repair_done);
  EXPECT_EQ(log->stats().keys_repaired, 1u);
  EXPECT_THAT(log->GetById("orphan"),
              IsOkAndHolds(Property(&v1::Event::seq, uint64_t{2})));
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("orphan")), IsAppend(2, true));
  EXPECT_EQ(log->stats().duplicates_by_key, 1u);
}

// A stream written before identity was (type, id): events published with
// their id alone as Nats-Msg-Id and only the `id.` key, and no identity
// epoch. Opening it records the epoch; an old event's late retry is still
// its duplicate, and its id under another type is a new event.
TEST_F(JetStreamEventLogTest, EventsStoredUnderTheOldRuleKeepTheirIdentity) {
  OpenLog().reset();  // Creates the stream and the buckets.
  natsConnection* connection = nullptr;
  ASSERT_EQ(natsConnection_ConnectTo(&connection, nats_->url().c_str()),
            NATS_OK);
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, connection, nullptr), NATS_OK);
  const v1::Event old_event = MakeEvent("old_1", "voucher.published");
  jsPubOptions pub_options;
  jsPubOptions_Init(&pub_options);
  pub_options.MsgId = "old_1";  // The old rule: the id alone.
  const std::string payload = old_event.SerializeAsString();
  const std::string subject =
      JetStreamEventLog::SubjectFor(options_.subject_prefix, old_event.type());
  jsPubAck* ack = nullptr;
  ASSERT_EQ(js_Publish(&ack, js, subject.c_str(), payload.data(),
                       static_cast<int>(payload.size()), &pub_options, nullptr),
            NATS_OK);
  const uint64_t old_seq = ack->Sequence;
  jsPubAck_Destroy(ack);
  kvStore* ids = nullptr;
  ASSERT_EQ(js_KeyValue(&ids, js, "EVENTS_IDS"), NATS_OK);
  uint64_t revision = 0;
  ASSERT_EQ(kvStore_PutString(&revision, ids,
                              ("id." + absl::BytesToHexString("old_1")).c_str(),
                              absl::StrCat(old_seq).c_str()),
            NATS_OK);
  kvStore* state = nullptr;
  ASSERT_EQ(js_KeyValue(&state, js, "EVENTS_STATE"), NATS_OK);
  ASSERT_EQ(kvStore_Purge(state, "identity.type_id_from", nullptr), NATS_OK);
  kvStore_Destroy(state);
  kvStore_Destroy(ids);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);

  // JetStream's own window cannot answer: the message ids differ ("old_1"
  // then, "voucher.published/old_1" now). Only the old id key can.
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("old_1", "voucher.published")),
              IsAppend(old_seq, true));
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("old_1", "voucher.updated")),
              IsAppend(old_seq + 1, false));
  EXPECT_THAT(
      log->GetById("voucher.published", "old_1"),
      IsOkAndHolds(Property(&v1::Event::id_rule, v1::ID_RULE_UNSPECIFIED)));
}

TEST_F(JetStreamEventLogTest, ConcurrentAppendsGetSeqsInCallOrder) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  constexpr int kCount = 200;
  AppendCollector collector(kCount);
  for (int i = 0; i < kCount; ++i) {
    const std::string id = absl::StrCat("e", i);
    log->Append(MakeEvent(id, "t", "cust"), collector.Done(id));
  }
  collector.Wait();
  for (const auto& result : collector.results()) {
    ASSERT_THAT(result.result, IsOk()) << result.id;
    EXPECT_EQ(absl::StrCat("e", result.result->seq - 1), result.id);
  }
  // History counts follow the same order.
  absl::StatusOr<v1::Event> last = log->GetBySeq(kCount);
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(last->enrichment().history().prior_publications(), kCount - 1);
}

TEST_F(JetStreamEventLogTest, FeedDeliversEveryWritersEventsInStreamOrder) {
  auto reader = OpenLog();
  ASSERT_NE(reader, nullptr);
  FeedRecorder feed;
  reader->SetCommitListener(feed.Listener());
  auto writer = OpenLog();
  ASSERT_NE(writer, nullptr);
  for (int i = 0; i < 10; ++i) {
    core::EventLog& log = i % 2 == 0 ? *writer : *reader;
    EXPECT_THAT(AppendAndWait(log, MakeEvent(absl::StrCat("w", i))),
                IsAppend(i + 1, false));
  }
  ASSERT_TRUE(feed.WaitFor(10));
  EXPECT_THAT(feed.seqs(), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_EQ(feed.ids().front(), "w0");
  EXPECT_EQ(reader->LastSeq(), 10u);
}

TEST_F(JetStreamEventLogTest, HistoryCountsPerCustomerAndTypeAcrossServices) {
  auto one = OpenLog();
  auto two = OpenLog();
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  ASSERT_THAT(AppendAndWait(*one, MakeEvent("h1", "t", "cust_a")), IsOk());
  ASSERT_THAT(AppendAndWait(*two, MakeEvent("h2", "t", "cust_a")), IsOk());
  ASSERT_THAT(AppendAndWait(*one, MakeEvent("h3", "u", "cust_a")), IsOk());
  ASSERT_THAT(AppendAndWait(*two, MakeEvent("h4", "t", "cust_b")), IsOk());
  ASSERT_THAT(AppendAndWait(*one, MakeEvent("h5", "t", "cust_a")), IsOk());
  ASSERT_THAT(AppendAndWait(*one, MakeEvent("h6", "t")), IsOk());
  const auto prior = [&](const char* id) -> int64_t {
    absl::StatusOr<v1::Event> event = one->GetById(id);
    EXPECT_THAT(event, IsOk());
    if (!event.ok() || !event->enrichment().has_history()) {
      return -1;
    }
    return static_cast<int64_t>(
        event->enrichment().history().prior_publications());
  };
  EXPECT_EQ(prior("h1"), 0);
  EXPECT_EQ(prior("h2"), 1);
  EXPECT_EQ(prior("h3"), 0);
  EXPECT_EQ(prior("h4"), 0);
  EXPECT_EQ(prior("h5"), 2);
  EXPECT_EQ(prior("h6"), -1);  // No customer: no history.
  EXPECT_TRUE(one->GetById("h1")->enrichment().history().first_publication());
}

TEST_F(JetStreamEventLogTest, QuarantineListsMarksAndSurvivesReopen) {
  {
    auto log = OpenLog();
    ASSERT_NE(log, nullptr);
    v1::QuarantinedEvent entry;
    *entry.mutable_event() = MakeEvent("bad1");
    EXPECT_THAT(log->Quarantine(entry), IsOkAndHolds(1u));
    *entry.mutable_event() = MakeEvent("bad2");
    EXPECT_THAT(log->Quarantine(entry), IsOkAndHolds(2u));
    EXPECT_THAT(log->MarkReprocessed(2, 7), IsOk());
    EXPECT_THAT(log->MarkReprocessed(3, 7),
                StatusIs(absl::StatusCode::kNotFound, _));
  }
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  absl::StatusOr<std::vector<v1::QuarantinedEvent>> all =
      log->ListQuarantined(0, 10);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].event().id(), "bad1");
  EXPECT_EQ((*all)[0].reprocessed_seq(), 0u);
  EXPECT_TRUE((*all)[0].has_quarantined_at());
  EXPECT_EQ((*all)[1].reprocessed_seq(), 7u);
  EXPECT_THAT(log->ListQuarantined(1, 10), IsOkAndHolds(::testing::SizeIs(1)));
  EXPECT_THAT(log->GetQuarantined(2),
              IsOkAndHolds(
                  Property(&v1::QuarantinedEvent::quarantine_id, uint64_t{2})));
  EXPECT_THAT(log->GetQuarantined(9), StatusIs(absl::StatusCode::kNotFound, _));
}

TEST_F(JetStreamEventLogTest, CursorsAreSharedAndDurable) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(log->GetCursor("billing"),
              StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(log->SetCursor("billing", 41), IsOk());
  EXPECT_THAT(log->SetCursor("billing", 42), IsOk());
  auto other = OpenLog();
  ASSERT_NE(other, nullptr);
  EXPECT_THAT(other->GetCursor("billing"), IsOkAndHolds(42u));
  EXPECT_THAT(log->SetCursor("", 1),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST_F(JetStreamEventLogTest, RetentionByCountKeepsTheNewestAndFirstSeqMoves) {
  options_.max_count = 3;
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(AppendAndWait(*log, MakeEvent(absl::StrCat("r", i))), IsOk());
  }
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(3u));
  EXPECT_THAT(log->GetBySeq(2), StatusIs(absl::StatusCode::kNotFound, _));
  absl::StatusOr<std::vector<v1::Event>> all = log->ReadAfter(0, 10);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(all->front().seq(), 3u);
}

TEST_F(JetStreamEventLogTest, SeqBeforeFindsTheFirstEventAtOrAfterATime) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(log->SeqBefore(absl::Now()), IsOkAndHolds(0u));
  ASSERT_THAT(AppendAndWait(*log, MakeEvent("s1")), IsOk());
  ASSERT_THAT(AppendAndWait(*log, MakeEvent("s2")), IsOk());
  // Storage times are distinct instants; take the one between s2 and s3.
  absl::SleepFor(absl::Milliseconds(20));
  const absl::Time between = absl::Now();
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_THAT(AppendAndWait(*log, MakeEvent("s3")), IsOk());
  EXPECT_THAT(log->SeqBefore(between), IsOkAndHolds(2u));
  EXPECT_THAT(log->SeqBefore(absl::UnixEpoch()), IsOkAndHolds(0u));
  EXPECT_THAT(log->SeqBefore(absl::Now() + absl::Hours(1)), IsOkAndHolds(3u));
}

TEST_F(JetStreamEventLogTest, StreamWithOtherSubjectsIsRefused) {
  {
    auto log = OpenLog();
    ASSERT_NE(log, nullptr);
  }
  options_.subject_prefix = "other.events";
  EXPECT_THAT(JetStreamEventLog::Open(options_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("other subjects")));
}

TEST_F(JetStreamEventLogTest, AppendAfterShutdownIsUnavailable) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  log->Shutdown();
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("late")),
              StatusIs(absl::StatusCode::kUnavailable, _));
}

TEST(JetStreamEventLogOpenTest, NoServerIsUnavailable) {
  JetStreamEventLog::Options options;
  // Port 1 on loopback: nothing listens there.
  options.servers = {"nats://127.0.0.1:1"};
  options.stream = "EVENTS";
  EXPECT_THAT(JetStreamEventLog::Open(options),
              StatusIs(absl::StatusCode::kUnavailable, _));
  options.servers.clear();
  EXPECT_THAT(JetStreamEventLog::Open(options),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST(JetStreamEventLogSubjectTest, TypesBecomeValidSubjects) {
  EXPECT_EQ(JetStreamEventLog::SubjectFor("p", "publication.succeeded"),
            "p.publication.succeeded");
  EXPECT_EQ(JetStreamEventLog::SubjectFor("p", "my hook>*"), "p.my_hook__");
  EXPECT_EQ(JetStreamEventLog::SubjectFor("p", "a..b."), "p.a._.b._");
  EXPECT_EQ(JetStreamEventLog::SubjectFor("p", ""), "p._");
}

TEST(JetStreamEventLogSubjectTest, TypeFiltersBecomeFilterSubjects) {
  using Types = std::vector<std::string>;
  EXPECT_EQ(JetStreamEventLog::FilterSubjectFor("p", Types{}), "p.>");
  EXPECT_EQ(
      JetStreamEventLog::FilterSubjectFor("p", Types{"publication.succeeded"}),
      "p.publication.succeeded");
  EXPECT_EQ(JetStreamEventLog::FilterSubjectFor("p", Types{"publication.*"}),
            "p.publication.>");
  EXPECT_EQ(JetStreamEventLog::FilterSubjectFor("p", Types{"a.b.*"}),
            "p.a.b.>");
  // No subject selects these exactly: the whole stream.
  EXPECT_EQ(JetStreamEventLog::FilterSubjectFor("p", Types{"*"}), "p.>");
  EXPECT_EQ(JetStreamEventLog::FilterSubjectFor("p", Types{"*.succeeded"}),
            "p.>");
  EXPECT_EQ(JetStreamEventLog::FilterSubjectFor("p", Types{"pub*"}), "p.>");
  EXPECT_EQ(JetStreamEventLog::FilterSubjectFor("p", Types{"a.*.c"}), "p.>");
  EXPECT_EQ(JetStreamEventLog::FilterSubjectFor(
                "p", Types{"publication.*", "voucher.*"}),
            "p.>");
}

TEST(JetStreamUrlTest, ParsesServersStreamAndReplicas) {
  absl::StatusOr<JetStreamUrl> url = ParseJetStreamUrl(
      "nats://127.0.0.1:4222,127.0.0.1:4223?stream=VS&replicas=3");
  ASSERT_THAT(url, IsOk());
  EXPECT_THAT(url->servers,
              ElementsAre("nats://127.0.0.1:4222", "nats://127.0.0.1:4223"));
  EXPECT_EQ(url->stream, "VS");
  EXPECT_EQ(url->replicas, 3);
  EXPECT_TRUE(IsJetStreamUrl("nats://x"));
  EXPECT_FALSE(IsJetStreamUrl("sqlite:x"));
}

TEST(JetStreamUrlTest, RejectsWhatItCannotUse) {
  static const char* const kBad[] = {
      "nats://127.0.0.1:4222",                // no stream
      "nats://127.0.0.1?stream=VS",           // no port
      "nats://127.0.0.1:0?stream=VS",         // port 0
      "nats://127.0.0.1:4222?stream=a.b",     // dot in stream name
      "nats://127.0.0.1:4222?stream=VS&x=1",  // unknown key
      "nats://127.0.0.1:4222?stream=VS&replicas=7",
      "sqlite:events.db",
  };
  for (const char* bad : kBad) {
    EXPECT_THAT(ParseJetStreamUrl(bad),
                StatusIs(absl::StatusCode::kInvalidArgument, _))
        << bad;
  }
}

}  // namespace
}  // namespace vouchstream::store

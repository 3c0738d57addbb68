#include "service/store/sqlite_event_log.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "tests/service/store/store_test_util.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::store {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::vouchstream::store::testing::AppendAndWait;
using ::vouchstream::store::testing::AppendCollector;
using ::vouchstream::store::testing::FakeClock;
using ::vouchstream::store::testing::IsOkAndHolds;
using ::vouchstream::store::testing::MakeEvent;
using ::vouchstream::store::testing::TempDir;
using ::vouchstream::store::testing::WriterGate;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

class SqliteEventLogTest : public ::testing::Test {
 protected:
  SqliteEventLogTest() { options_.path = dir_.File("events.db"); }

  std::unique_ptr<SqliteEventLog> OpenLog() {
    absl::StatusOr<std::unique_ptr<SqliteEventLog>> log =
        SqliteEventLog::Open(options_);
    EXPECT_THAT(log, IsOk());
    return log.ok() ? *std::move(log) : nullptr;
  }

  // Appends `event` and returns its seq (0 on failure, which fails the test).
  static uint64_t MustAppend(SqliteEventLog& log, v1::Event event) {
    absl::StatusOr<core::EventLog::AppendResult> result =
        AppendAndWait(log, std::move(event));
    EXPECT_THAT(result, IsOk());
    return result.ok() ? result->seq : 0;
  }

  static std::vector<uint64_t> Seqs(const std::vector<v1::Event>& events) {
    std::vector<uint64_t> seqs;
    for (const v1::Event& event : events) {
      seqs.push_back(event.seq());
    }
    return seqs;
  }

  TempDir dir_;
  SqliteEventLog::Options options_;
};

TEST_F(SqliteEventLogTest, AppendsAndReadsBackInOrder) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LastSeq(), 0U);
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(1U));
  for (int i = 1; i <= 5; ++i) {
    absl::StatusOr<core::EventLog::AppendResult> result =
        AppendAndWait(*log, MakeEvent(absl::StrCat("ev_", i)));
    ASSERT_THAT(result, IsOk());
    EXPECT_EQ(result->seq, static_cast<uint64_t>(i));
    EXPECT_FALSE(result->duplicate);
    EXPECT_EQ(log->LastSeq(), static_cast<uint64_t>(i));
  }
  absl::StatusOr<std::vector<v1::Event>> events = log->ReadAfter(0, 100);
  ASSERT_THAT(events, IsOk());
  ASSERT_THAT(*events, SizeIs(5));
  EXPECT_THAT(Seqs(*events), ElementsAre(1, 2, 3, 4, 5));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((*events)[i].id(), absl::StrCat("ev_", i + 1));
    EXPECT_EQ((*events)[i].type(), "publication.succeeded");
    EXPECT_EQ((*events)[i].raw(), absl::StrCat("{\"id\":\"ev_", i + 1, "\"}"));
  }
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(1U));
}

TEST_F(SqliteEventLogTest, KeepsReceivedAtAndFillsItWhenAbsent) {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  options_.now = [&clock] { return clock.Now(); };
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  v1::Event given = MakeEvent("ev_given");
  given.mutable_received_at()->set_seconds(1600000000);
  given.mutable_received_at()->set_nanos(123456000);
  ASSERT_EQ(MustAppend(*log, given), 1U);
  ASSERT_EQ(MustAppend(*log, MakeEvent("ev_filled")), 2U);
  absl::StatusOr<v1::Event> first = log->GetBySeq(1);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->received_at().seconds(), 1600000000);
  EXPECT_EQ(first->received_at().nanos(), 123456000);
  absl::StatusOr<v1::Event> second = log->GetBySeq(2);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->received_at().seconds(), 1700000000);
}

TEST_F(SqliteEventLogTest, ReadAfterPages) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 25; ++i) {
    MustAppend(*log, MakeEvent(absl::StrCat("ev_", i)));
  }
  std::vector<uint64_t> all;
  std::vector<size_t> page_sizes;
  uint64_t after = 0;
  for (;;) {
    absl::StatusOr<std::vector<v1::Event>> page = log->ReadAfter(after, 10);
    ASSERT_THAT(page, IsOk());
    page_sizes.push_back(page->size());
    if (page->empty()) {
      break;
    }
    for (const v1::Event& event : *page) {
      all.push_back(event.seq());
    }
    after = page->back().seq();
  }
  EXPECT_THAT(page_sizes, ElementsAre(10, 10, 5, 0));
  ASSERT_THAT(all, SizeIs(25));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i], i + 1);
  }
  EXPECT_THAT(log->ReadAfter(0, 0), IsOkAndHolds(SizeIs(0)));
  EXPECT_THAT(log->ReadAfter(25, 10), IsOkAndHolds(SizeIs(0)));
}

TEST_F(SqliteEventLogTest, ReadMatchingFiltersByTypeInSql) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  MustAppend(*log, MakeEvent("a", "publication.succeeded"));
  MustAppend(*log, MakeEvent("b", "voucher.published"));
  MustAppend(*log, MakeEvent("c", "publication.succeeded"));
  MustAppend(*log, MakeEvent("d", "odd?type[1]"));
  MustAppend(*log, MakeEvent("e", "oddXtype[1]"));
  const auto read = [&](uint64_t after, size_t limit,
                        std::vector<std::string> types) {
    core::EventLog::ReadRequest request;
    request.after_seq = after;
    request.limit = limit;
    request.types = std::move(types);
    absl::StatusOr<core::EventLog::ReadResult> result =
        log->ReadMatching(request);
    EXPECT_THAT(result, IsOk());
    std::vector<uint64_t> seqs;
    for (const v1::Event& event : result->events) {
      seqs.push_back(event.seq());
    }
    return std::make_pair(seqs, result->scanned_through);
  };
  using Result = std::pair<std::vector<uint64_t>, uint64_t>;
  EXPECT_EQ(read(0, 10, {"publication.*"}), Result({1, 3}, 5));
  EXPECT_EQ(read(0, 1, {"publication.*"}), Result({1}, 1));
  EXPECT_EQ(read(1, 10, {"voucher.published", "publication.succeeded"}),
            Result({2, 3}, 5));
  // GLOB's own metacharacters are literal in type patterns.
  EXPECT_EQ(read(0, 10, {"odd?type[1]"}), Result({4}, 5));
  EXPECT_EQ(read(0, 10, {"odd*"}), Result({4, 5}, 5));
  EXPECT_EQ(read(0, 10, {"campaign.*"}), Result({}, 5));
  EXPECT_EQ(read(5, 10, {"publication.*"}), Result({}, 5));
  // No types: every event, as ReadAfter.
  EXPECT_EQ(read(3, 10, {}), Result({4, 5}, 5));
}

TEST_F(SqliteEventLogTest, GetsBySeqAndByIdOrNotFound) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  MustAppend(*log, MakeEvent("ev_a"));
  MustAppend(*log, MakeEvent("ev_b", "voucher.published"));
  absl::StatusOr<v1::Event> by_seq = log->GetBySeq(2);
  ASSERT_THAT(by_seq, IsOk());
  EXPECT_EQ(by_seq->id(), "ev_b");
  EXPECT_EQ(by_seq->type(), "voucher.published");
  EXPECT_EQ(by_seq->seq(), 2U);
  absl::StatusOr<v1::Event> by_id = log->GetById("ev_a");
  ASSERT_THAT(by_id, IsOk());
  EXPECT_EQ(by_id->seq(), 1U);
  EXPECT_THAT(log->GetBySeq(3),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("seq 3")));
  EXPECT_THAT(log->GetBySeq(0), StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(log->GetById("ev_zzz"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("ev_zzz")));
}

TEST_F(SqliteEventLogTest, DuplicateIdReturnsOriginalSeqAndStoresNothing) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  MustAppend(*log, MakeEvent("ev_a"));
  MustAppend(*log, MakeEvent("ev_b"));
  v1::Event retry = MakeEvent("ev_a");
  retry.set_raw("different body");
  absl::StatusOr<core::EventLog::AppendResult> result =
      AppendAndWait(*log, retry);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->seq, 1U);
  EXPECT_TRUE(result->duplicate);
  EXPECT_EQ(log->LastSeq(), 2U);
  EXPECT_THAT(log->ReadAfter(0, 10), IsOkAndHolds(SizeIs(2)));
  EXPECT_EQ(log->GetBySeq(1)->raw(), "{\"id\":\"ev_a\"}");
  EXPECT_EQ(log->stats().duplicates, 1U);
  // The next new event gets the next seq: the duplicate used none.
  EXPECT_EQ(MustAppend(*log, MakeEvent("ev_c")), 3U);
}

TEST_F(SqliteEventLogTest, DuplicateEnvelopeIdReturnsOriginalSeq) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  MustAppend(*log, MakeEvent("ev_a", "publication.succeeded", "", "whs_1"));
  MustAppend(*log, MakeEvent("ev_b", "publication.succeeded", "", ""));
  MustAppend(*log, MakeEvent("ev_c", "publication.succeeded", "", ""));
  absl::StatusOr<core::EventLog::AppendResult> result = AppendAndWait(
      *log, MakeEvent("ev_other", "publication.succeeded", "", "whs_1"));
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->seq, 1U);
  EXPECT_TRUE(result->duplicate);
  EXPECT_THAT(log->GetById("ev_other"),
              StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_EQ(log->LastSeq(), 3U);
}

TEST_F(SqliteEventLogTest, DuplicatesWithinOneBatchAreCaught) {
  // Declared before the log, so that it outlives the writer thread.
  WriterGate gate;
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  log->SetCommitListener(gate.Listener());
  MustAppend(*log, MakeEvent("ev_first"));
  gate.WaitUntilHeld();
  // All of these queue behind the held writer and go into one batch.
  AppendCollector collector(5);
  log->Append(MakeEvent("ev_x", "t", "", "whs_x"), collector.Done("x"));
  log->Append(MakeEvent("ev_x", "t"), collector.Done("x by id"));
  log->Append(MakeEvent("ev_y", "t", "", "whs_x"), collector.Done("x by env"));
  log->Append(MakeEvent("ev_z"), collector.Done("z"));
  log->Append(MakeEvent("ev_first"), collector.Done("first again"));
  gate.Open();
  collector.Wait();
  std::map<std::string, core::EventLog::AppendResult> by_name;
  for (const AppendCollector::Result& r : collector.results()) {
    ASSERT_THAT(r.result, IsOk()) << r.id;
    by_name[r.id] = *r.result;
  }
  EXPECT_EQ(by_name["x"].seq, 2U);
  EXPECT_FALSE(by_name["x"].duplicate);
  EXPECT_EQ(by_name["x by id"].seq, 2U);
  EXPECT_TRUE(by_name["x by id"].duplicate);
  EXPECT_EQ(by_name["x by env"].seq, 2U);
  EXPECT_TRUE(by_name["x by env"].duplicate);
  EXPECT_EQ(by_name["z"].seq, 3U);
  EXPECT_FALSE(by_name["z"].duplicate);
  EXPECT_EQ(by_name["first again"].seq, 1U);
  EXPECT_TRUE(by_name["first again"].duplicate);
  EXPECT_EQ(log->stats().batches_committed, 2U);
  EXPECT_EQ(log->LastSeq(), 3U);
  // The listener hears only of events that were stored. It runs after the
  // `done`s: join the writer before looking.
  log->Shutdown();
  EXPECT_THAT(gate.committed_seqs(), ElementsAre(1, 2, 3));
}

TEST_F(SqliteEventLogTest, FillsHistoryBySameTypeAndCustomerInCommitOrder) {
  // Declared before the log, so that it outlives the writer thread.
  WriterGate gate;
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  const std::string pub = "publication.succeeded";
  MustAppend(*log, MakeEvent("ev_1", pub, "cust_a"));
  MustAppend(*log, MakeEvent("ev_2", pub, "cust_a"));
  MustAppend(*log, MakeEvent("ev_3", "voucher.published", "cust_a"));
  MustAppend(*log, MakeEvent("ev_4", pub, "cust_b"));
  MustAppend(*log, MakeEvent("ev_5", pub, ""));
  // Three more for cust_a in one batch: counted in commit order.
  log->SetCommitListener(gate.Listener());
  MustAppend(*log, MakeEvent("ev_6", pub, "cust_a"));
  gate.WaitUntilHeld();
  AppendCollector collector(3);
  log->Append(MakeEvent("ev_7", pub, "cust_a"), collector.Done("7"));
  log->Append(MakeEvent("ev_7", pub, "cust_a"), collector.Done("7 again"));
  log->Append(MakeEvent("ev_8", pub, "cust_a"), collector.Done("8"));
  gate.Open();
  collector.Wait();

  struct Expected {
    const char* id;
    bool has_history;
    uint64_t prior;
  };
  const Expected kExpected[] = {
      {"ev_1", true, 0}, {"ev_2", true, 1},  {"ev_3", true, 0},
      {"ev_4", true, 0}, {"ev_5", false, 0}, {"ev_6", true, 2},
      {"ev_7", true, 3}, {"ev_8", true, 4},
  };
  for (const Expected& expected : kExpected) {
    absl::StatusOr<v1::Event> event = log->GetById(expected.id);
    ASSERT_THAT(event, IsOk()) << expected.id;
    EXPECT_EQ(event->enrichment().has_history(), expected.has_history)
        << expected.id;
    EXPECT_EQ(event->enrichment().history().prior_publications(),
              expected.prior)
        << expected.id;
    EXPECT_EQ(event->enrichment().history().first_publication(),
              expected.has_history && expected.prior == 0)
        << expected.id;
  }
}

TEST_F(SqliteEventLogTest, ConcurrentPublishersShareTransactions) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  constexpr int kTotal = kThreads * kPerThread;
  // Declared before the log, so that it outlives the writer thread.
  WriterGate gate;
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  log->SetCommitListener(gate.Listener());
  MustAppend(*log, MakeEvent("ev_warmup"));
  gate.WaitUntilHeld();

  AppendCollector collector(kTotal);
  // Each publisher queues half of its appends while the writer is held, so
  // at least kTotal / 2 appends must share transactions whatever the
  // timing; the other half race the writer.
  AppendCollector half(kTotal / 2);
  std::vector<std::thread> publishers;
  for (int t = 0; t < kThreads; ++t) {
    publishers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat("ev_", t, "_", i);
        log->Append(MakeEvent(id, "publication.succeeded",
                              absl::StrCat("cust_", i % 7)),
                    collector.Done(id));
        if (i < kPerThread / 2) {
          half.Done(id)(core::EventLog::AppendResult{});
        }
      }
    });
  }
  half.Wait();
  gate.Open();
  for (std::thread& publisher : publishers) {
    publisher.join();
  }
  collector.Wait();

  std::set<uint64_t> seqs;
  std::set<std::string> ids;
  for (const AppendCollector::Result& r : collector.results()) {
    ASSERT_THAT(r.result, IsOk()) << r.id;
    EXPECT_FALSE(r.result->duplicate);
    seqs.insert(r.result->seq);
    ids.insert(r.id);
  }
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(*seqs.begin(), 2U);
  EXPECT_EQ(*seqs.rbegin(), static_cast<uint64_t>(kTotal + 1));
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(log->LastSeq(), static_cast<uint64_t>(kTotal + 1));

  const SqliteEventLog::Stats stats = log->stats();
  EXPECT_EQ(stats.events_committed, static_cast<uint64_t>(kTotal + 1));
  EXPECT_EQ(stats.batches_failed, 0U);
  EXPECT_LT(stats.batches_committed, static_cast<uint64_t>(kTotal / 2 + 2));
  EXPECT_GE(stats.largest_batch, 2U);

  // The listener saw every event once, in seq order. It runs after the
  // `done`s: join the writer before looking.
  log->Shutdown();
  const std::vector<uint64_t> heard = gate.committed_seqs();
  ASSERT_EQ(heard.size(), static_cast<size_t>(kTotal + 1));
  for (size_t i = 0; i < heard.size(); ++i) {
    EXPECT_EQ(heard[i], i + 1);
  }
  // And the history counts come out dense per customer and type.
  absl::StatusOr<std::vector<v1::Event>> events = log->ReadAfter(1, kTotal);
  ASSERT_THAT(events, IsOk());
  std::map<std::string, uint64_t> per_customer;
  for (const v1::Event& event : *events) {
    const std::string& customer = event.enrichment().customer_id();
    EXPECT_EQ(event.enrichment().history().prior_publications(),
              per_customer[customer]++)
        << event.id();
  }
}

TEST_F(SqliteEventLogTest, RetentionByCountMovesFirstSeqAndNeverReusesSeqs) {
  options_.max_count = 10;
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 25; ++i) {
    MustAppend(*log, MakeEvent(absl::StrCat("ev_", i)));
  }
  ASSERT_THAT(log->RunRetention(), IsOk());
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(16U));
  EXPECT_EQ(log->LastSeq(), 25U);
  EXPECT_EQ(log->stats().events_expired, 15U);
  EXPECT_THAT(log->GetBySeq(15), StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(log->GetBySeq(16), IsOk());
  EXPECT_THAT(Seqs(*log->ReadAfter(0, 100)),
              ElementsAre(16, 17, 18, 19, 20, 21, 22, 23, 24, 25));
  log.reset();

  log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LastSeq(), 25U);
  EXPECT_EQ(MustAppend(*log, MakeEvent("ev_26")), 26U);
  ASSERT_THAT(log->RunRetention(), IsOk());
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(17U));
}

TEST_F(SqliteEventLogTest, RetentionByAgeUsesTheInjectedClock) {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  options_.now = [&clock] { return clock.Now(); };
  options_.max_age = absl::Hours(1);
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 5; ++i) {
    MustAppend(*log, MakeEvent(absl::StrCat("ev_old_", i)));
  }
  clock.Advance(absl::Minutes(90));
  for (int i = 1; i <= 3; ++i) {
    MustAppend(*log, MakeEvent(absl::StrCat("ev_new_", i)));
  }
  ASSERT_THAT(log->RunRetention(), IsOk());
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(6U));
  EXPECT_THAT(log->GetById("ev_old_5"),
              StatusIs(absl::StatusCode::kNotFound, _));

  // Everything expires: the log is empty and FirstSeq is LastSeq + 1.
  clock.Advance(absl::Minutes(90));
  ASSERT_THAT(log->RunRetention(), IsOk());
  EXPECT_EQ(log->LastSeq(), 8U);
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(9U));
  EXPECT_THAT(log->ReadAfter(0, 10), IsOkAndHolds(SizeIs(0)));
  log.reset();

  // Numbering survives a restart with an empty table.
  log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LastSeq(), 8U);
  EXPECT_THAT(log->FirstSeq(), IsOkAndHolds(9U));
  EXPECT_EQ(MustAppend(*log, MakeEvent("ev_after_restart")), 9U);
}

TEST_F(SqliteEventLogTest, SeqBeforeFindsWhereATimeStarts) {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  options_.now = [&clock] { return clock.Now(); };
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  const absl::Time t0 = clock.Now();
  MustAppend(*log, MakeEvent("ev_1"));
  MustAppend(*log, MakeEvent("ev_2"));
  clock.Advance(absl::Seconds(10));
  MustAppend(*log, MakeEvent("ev_3"));
  EXPECT_THAT(log->SeqBefore(t0 - absl::Seconds(1)), IsOkAndHolds(0U));
  EXPECT_THAT(log->SeqBefore(t0), IsOkAndHolds(0U));
  EXPECT_THAT(log->SeqBefore(t0 + absl::Seconds(1)), IsOkAndHolds(2U));
  EXPECT_THAT(log->SeqBefore(t0 + absl::Seconds(10)), IsOkAndHolds(2U));
  EXPECT_THAT(log->SeqBefore(t0 + absl::Seconds(11)), IsOkAndHolds(3U));
}

TEST_F(SqliteEventLogTest, ReopenKeepsEverythingAndContinuesNumbering) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 3; ++i) {
    MustAppend(*log, MakeEvent(absl::StrCat("ev_", i), "t", "cust_1"));
  }
  log->Shutdown();
  log.reset();
  log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LastSeq(), 3U);
  EXPECT_THAT(Seqs(*log->ReadAfter(0, 10)), ElementsAre(1, 2, 3));
  // Dedup and history see what the earlier process stored.
  absl::StatusOr<core::EventLog::AppendResult> retry =
      AppendAndWait(*log, MakeEvent("ev_2", "t"));
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->seq, 2U);
  EXPECT_EQ(MustAppend(*log, MakeEvent("ev_4", "t", "cust_1")), 4U);
  EXPECT_EQ(log->GetBySeq(4)->enrichment().history().prior_publications(), 3U);
}

// Writes a log as schema version 3 left it (identity by id alone), with
// events `seqs` of `type` (ids "old_<seq>") and `sqlite_sequence` at `last`.
void WriteVersion3Log(const std::string& path, const std::vector<int>& seqs,
                      const std::string& type, int last) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* const kSchema = R"sql(
CREATE TABLE schema_version (version INTEGER PRIMARY KEY,
  description TEXT NOT NULL, applied_at INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1, 'v1', 0), (2, 'v2', 0), (3, 'v3', 0);
CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE, envelope_id TEXT, type TEXT NOT NULL,
  received_at INTEGER NOT NULL, campaign_id TEXT, customer_id TEXT,
  payload BLOB NOT NULL);
CREATE UNIQUE INDEX events_by_envelope_id ON events (envelope_id)
  WHERE envelope_id IS NOT NULL;
CREATE INDEX events_by_received_at ON events (received_at);
CREATE INDEX events_by_campaign ON events (campaign_id, seq)
  WHERE campaign_id IS NOT NULL;
CREATE TABLE quarantine (quarantine_id INTEGER PRIMARY KEY AUTOINCREMENT,
  quarantined_at INTEGER NOT NULL, reprocessed_seq INTEGER NOT NULL DEFAULT 0,
  entry BLOB NOT NULL);
CREATE TABLE cursors (name TEXT PRIMARY KEY, seq INTEGER NOT NULL,
  updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE customer_history (customer_id TEXT NOT NULL, type TEXT NOT NULL,
  count INTEGER NOT NULL, PRIMARY KEY (customer_id, type)) WITHOUT ROWID;
)sql";
  ASSERT_EQ(sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  for (const int seq : seqs) {
    v1::Event event = MakeEvent(absl::StrCat("old_", seq), type);
    event.set_seq(seq);
    const std::string insert = absl::StrCat(
        "INSERT INTO events (seq, id, type, received_at, payload) VALUES (",
        seq, ", '", event.id(), "', '", type, "', 0, x'",
        absl::BytesToHexString(event.SerializeAsString()), "')");
    ASSERT_EQ(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
  }
  // What retention leaves: the highest seq ever used, rows or none.
  const std::string sequence = absl::StrCat(
      "DELETE FROM sqlite_sequence; INSERT INTO sqlite_sequence VALUES "
      "('events', ",
      last, ")");
  ASSERT_EQ(sqlite3_exec(db, sequence.c_str(), nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST_F(SqliteEventLogTest, MigratesALogWhoseIdentityWasTheIdAlone) {
  WriteVersion3Log(options_.path, {4, 5}, "voucher.published", 5);
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  // The old events keep their ids, marked as made before the rule was kept.
  EXPECT_THAT(Seqs(*log->ReadAfter(0, 10)), ElementsAre(4, 5));
  absl::StatusOr<v1::Event> old = log->GetById("voucher.published", "old_4");
  ASSERT_THAT(old, IsOk());
  EXPECT_EQ(old->seq(), 4U);
  EXPECT_EQ(old->id_rule(), v1::ID_RULE_UNSPECIFIED);
  // A late retry of an old event is still its duplicate ...
  absl::StatusOr<core::EventLog::AppendResult> retry =
      AppendAndWait(*log, MakeEvent("old_4", "voucher.published"));
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->seq, 4U);
  // ... while the same id under another type is a new event, numbered on.
  EXPECT_EQ(MustAppend(*log, MakeEvent("old_4", "voucher.updated")), 6U);
  EXPECT_EQ(*log->FirstSeq(), 4U);
}

TEST_F(SqliteEventLogTest, MigrationKeepsNumberingWhenRetentionEmptiedTheLog) {
  WriteVersion3Log(options_.path, {}, "voucher.published", 9);
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(MustAppend(*log, MakeEvent("ev_new", "voucher.published")), 10U);
}

TEST_F(SqliteEventLogTest, RecordsMigrationsOnce) {
  OpenLog().reset();
  OpenLog().reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(options_.path.c_str(), &db, SQLITE_OPEN_READONLY,
                            nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(
                db, "SELECT version FROM schema_version ORDER BY version", -1,
                &stmt, nullptr),
            SQLITE_OK);
  std::vector<int64_t> versions;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    versions.push_back(sqlite3_column_int64(stmt, 0));
  }
  sqlite3_finalize(stmt);
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
               "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_THAT(versions, ElementsAre(1, 2, 3, 4));
}

TEST_F(SqliteEventLogTest, RefusesASchemaNewerThanItKnows) {
  OpenLog().reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options_.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "INSERT INTO schema_version VALUES (99, 'future', 0)",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  EXPECT_THAT(SqliteEventLog::Open(options_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("schema version 99")));
}

TEST_F(SqliteEventLogTest, QuarantineAddListGetMark) {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  options_.now = [&clock] { return clock.Now(); };
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 3; ++i) {
    v1::QuarantinedEvent entry;
    *entry.mutable_event() = MakeEvent(absl::StrCat("ev_bad_", i));
    v1::FieldViolation* violation = entry.add_field_violations();
    violation->set_field("publication.customer_id");
    violation->set_description(absl::StrCat("mismatch ", i));
    EXPECT_THAT(log->Quarantine(entry), IsOkAndHolds(static_cast<uint64_t>(i)));
  }
  absl::StatusOr<std::vector<v1::QuarantinedEvent>> page =
      log->ListQuarantined(0, 2);
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(*page, SizeIs(2));
  EXPECT_EQ((*page)[0].quarantine_id(), 1U);
  EXPECT_EQ((*page)[0].event().id(), "ev_bad_1");
  EXPECT_EQ((*page)[0].field_violations(0).description(), "mismatch 1");
  EXPECT_EQ((*page)[0].quarantined_at().seconds(), 1700000000);
  EXPECT_EQ((*page)[1].quarantine_id(), 2U);
  page = log->ListQuarantined(2, 10);
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(*page, SizeIs(1));
  EXPECT_EQ((*page)[0].quarantine_id(), 3U);

  EXPECT_THAT(log->MarkReprocessed(2, 41), IsOk());
  absl::StatusOr<v1::QuarantinedEvent> entry = log->GetQuarantined(2);
  ASSERT_THAT(entry, IsOk());
  EXPECT_EQ(entry->reprocessed_seq(), 41U);
  EXPECT_EQ(entry->event().id(), "ev_bad_2");
  EXPECT_THAT(log->GetQuarantined(9),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("9")));
  EXPECT_THAT(log->MarkReprocessed(9, 1),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("9")));
  // Quarantine does not touch the event log.
  EXPECT_EQ(log->LastSeq(), 0U);
}

TEST_F(SqliteEventLogTest, CursorsGetSetAndSurviveReopen) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(log->GetCursor("billing"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("billing")));
  ASSERT_THAT(log->SetCursor("billing", 7), IsOk());
  ASSERT_THAT(log->SetCursor("crm", 3), IsOk());
  ASSERT_THAT(log->SetCursor("billing", 12), IsOk());
  EXPECT_THAT(log->GetCursor("billing"), IsOkAndHolds(12U));
  EXPECT_THAT(log->SetCursor("", 1),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  log.reset();
  log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(log->GetCursor("billing"), IsOkAndHolds(12U));
  EXPECT_THAT(log->GetCursor("crm"), IsOkAndHolds(3U));
}

TEST_F(SqliteEventLogTest, RejectsAnEmptyId) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(
      AppendAndWait(*log, MakeEvent("")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event.id")));
  EXPECT_EQ(log->LastSeq(), 0U);
}

TEST_F(SqliteEventLogTest, AppendAfterShutdownFailsUnavailable) {
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  MustAppend(*log, MakeEvent("ev_1"));
  log->Shutdown();
  log->Shutdown();  // Idempotent.
  EXPECT_THAT(AppendAndWait(*log, MakeEvent("ev_2")),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shut down")));
  v1::QuarantinedEvent entry;
  EXPECT_THAT(log->Quarantine(entry),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shut down")));
  // Reads still work on a log that was shut down.
  EXPECT_THAT(log->GetBySeq(1), IsOk());
}

TEST_F(SqliteEventLogTest, ShutdownDrainsQueuedAppends) {
  // Declared before the log, so that it outlives the writer thread.
  WriterGate gate;
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  log->SetCommitListener(gate.Listener());
  MustAppend(*log, MakeEvent("ev_0"));
  gate.WaitUntilHeld();
  AppendCollector collector(10);
  for (int i = 1; i <= 10; ++i) {
    log->Append(MakeEvent(absl::StrCat("ev_", i)), collector.Done("queued"));
  }
  std::thread stopper([&] { log->Shutdown(); });
  // Wait until Shutdown has closed the door: an append then fails inline.
  // Probes that slip in before it queue behind the held writer and must be
  // drained like the others.
  auto probes_stored = std::make_shared<std::atomic<int>>(0);
  int probes_queued = 0;
  for (int i = 0;; ++i) {
    bool refused = false;
    log->Append(
        MakeEvent(absl::StrCat("ev_probe_", i)),
        [&refused,
         probes_stored](absl::StatusOr<core::EventLog::AppendResult> result) {
          if (result.ok()) {
            ++*probes_stored;
          } else {
            EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable, _));
            refused = true;
          }
        });
    if (refused) {
      break;
    }
    ++probes_queued;
    absl::SleepFor(absl::Milliseconds(1));
  }
  gate.Open();
  stopper.join();
  collector.Wait();
  for (const AppendCollector::Result& r : collector.results()) {
    EXPECT_THAT(r.result, IsOk());
  }
  EXPECT_EQ(*probes_stored, probes_queued);
  EXPECT_EQ(log->LastSeq(), 11U + static_cast<uint64_t>(probes_queued));
}

TEST_F(SqliteEventLogTest, OpenOnAFileAsDirectoryFailsUnavailable) {
  // Running as root defeats chmod, but no one can create a file inside a
  // regular file: this is the "cannot write the directory" case.
  const std::string not_a_dir = dir_.File("plain_file");
  std::ofstream(not_a_dir) << "x";
  options_.path = not_a_dir + "/events.db";
  EXPECT_THAT(
      SqliteEventLog::Open(options_),
      StatusIs(absl::StatusCode::kUnavailable,
               AllOf(HasSubstr("unable to open database file"),
                     HasSubstr("SQLITE_CANTOPEN"), HasSubstr(options_.path))));
}

TEST_F(SqliteEventLogTest, ReadOnlyLogFailsAppendsUnavailable) {
  {
    std::unique_ptr<SqliteEventLog> log = OpenLog();
    ASSERT_NE(log, nullptr);
    MustAppend(*log, MakeEvent("ev_1"));
  }
  // SQLite enforces mode=ro itself, also for root.
  options_.path = absl::StrCat("file:", options_.path, "?mode=ro");
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_THAT(
      AppendAndWait(*log, MakeEvent("ev_2")),
      StatusIs(absl::StatusCode::kUnavailable,
               AllOf(HasSubstr("readonly"), HasSubstr("SQLITE_READONLY"))));
  EXPECT_EQ(log->stats().batches_failed, 1U);
  EXPECT_THAT(log->GetById("ev_1"), IsOk());
  EXPECT_EQ(log->LastSeq(), 1U);
}

TEST_F(SqliteEventLogTest, FullDiskFailsTheWholeBatchAndWriterRecovers) {
  // max_page_count stands in for a full disk: SQLite answers SQLITE_FULL.
  options_.max_page_count = 64;  // 256 KiB.
  // Declared before the log, so that it outlives the writer thread.
  WriterGate gate;
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  log->SetCommitListener(gate.Listener());
  MustAppend(*log, MakeEvent("ev_1"));
  gate.WaitUntilHeld();
  AppendCollector collector(3);
  v1::Event huge = MakeEvent("ev_huge");
  huge.set_raw(std::string(1 << 20, 'x'));
  log->Append(MakeEvent("ev_small_a"), collector.Done("a"));
  log->Append(std::move(huge), collector.Done("huge"));
  log->Append(MakeEvent("ev_small_b"), collector.Done("b"));
  gate.Open();
  collector.Wait();
  for (const AppendCollector::Result& r : collector.results()) {
    EXPECT_THAT(r.result,
                StatusIs(absl::StatusCode::kUnavailable,
                         AllOf(HasSubstr("full"), HasSubstr("SQLITE_FULL"))))
        << r.id;
  }
  EXPECT_EQ(log->stats().batches_failed, 1U);
  EXPECT_THAT(log->GetById("ev_small_a"),
              StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_EQ(log->LastSeq(), 1U);
  // Room for small events remains: the writer carries on, and the failed
  // batch used no seqs.
  EXPECT_EQ(MustAppend(*log, MakeEvent("ev_small_a")), 2U);
  EXPECT_THAT(Seqs(*log->ReadAfter(0, 10)), ElementsAre(1, 2));
}

TEST_F(SqliteEventLogTest, RejectsBadOptions) {
  SqliteEventLog::Options no_path;
  EXPECT_THAT(SqliteEventLog::Open(no_path),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("path")));
  options_.max_batch_size = 0;
  EXPECT_THAT(SqliteEventLog::Open(options_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max_batch_size")));
}

TEST_F(SqliteEventLogTest, SynchronousNormalStillStoresEverything) {
  options_.synchronous = SqliteEventLog::Synchronous::kNormal;
  std::unique_ptr<SqliteEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 3; ++i) {
    MustAppend(*log, MakeEvent(absl::StrCat("ev_", i)));
  }
  log.reset();
  log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LastSeq(), 3U);
}

}  // namespace
}  // namespace vouchstream::store

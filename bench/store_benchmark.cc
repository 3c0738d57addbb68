// Store append throughput with group commit, and catch-up reads, on a real
// SQLite file. The file goes to $VS_BENCH_DIR (default /tmp): point it at
// the disk the service will use, since fsync cost is the whole story.
//
//   build/bin/store_benchmark --benchmark_filter=Append

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"

#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "service/store/sqlite_event_log.h"

namespace vouchstream::store {
namespace {

class BenchDir {
 public:
  BenchDir() {
    const char* base = getenv("VS_BENCH_DIR");
    std::string pattern =
        absl::StrCat(base != nullptr ? base : "/tmp", "/vs_store_bench_XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      abort();
    }
    path_ = pattern;
  }
  ~BenchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File() const { return path_ + "/events.db"; }

 private:
  std::string path_;
};

// About the size of the seed publication.succeeded event (2.7 KB body).
v1::Event MakeEvent(uint64_t n) {
  v1::Event event;
  event.set_id(absl::StrCat("evpub_", n));
  event.set_type("publication.succeeded");
  event.mutable_envelope()->set_id(absl::StrCat("whs_", n));
  event.set_raw(std::string(2700, 'x'));
  event.mutable_enrichment()->set_customer_id(absl::StrCat("cust_", n % 1000));
  event.mutable_enrichment()->set_campaign_id(absl::StrCat("camp_", n % 20));
  return event;
}

std::unique_ptr<SqliteEventLog> OpenOrDie(const std::string& path,
                                          SqliteEventLog::Synchronous sync) {
  SqliteEventLog::Options options;
  options.path = path;
  options.synchronous = sync;
  absl::StatusOr<std::unique_ptr<SqliteEventLog>> log =
      SqliteEventLog::Open(options);
  if (!log.ok()) {
    abort();
  }
  return *std::move(log);
}

// Keeps up to `state.range(0)` appends in flight, as that many concurrent
// Publish calls would. Arg 1: 0 = synchronous FULL, 1 = NORMAL.
void BM_Append(benchmark::State& state) {
  const int64_t max_in_flight = state.range(0);
  const auto sync = state.range(1) == 0 ? SqliteEventLog::Synchronous::kFull
                                        : SqliteEventLog::Synchronous::kNormal;
  BenchDir dir;
  std::unique_ptr<SqliteEventLog> log = OpenOrDie(dir.File(), sync);
  absl::Mutex mu;
  int64_t in_flight = 0;
  std::atomic<int64_t> failures{0};
  struct Limit {
    int64_t* count;
    int64_t limit;
    bool Below() const { return *count < limit; }
  };
  Limit can_send{&in_flight, max_in_flight};
  Limit drained{&in_flight, 1};
  uint64_t n = 0;
  for (auto _ : state) {
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(&can_send, &Limit::Below));
      ++in_flight;
    }
    log->Append(
        MakeEvent(n++),
        [&](const absl::StatusOr<core::EventLog::AppendResult>& result) {
          if (!result.ok()) {
            ++failures;
          }
          absl::MutexLock lock(&mu);
          --in_flight;
        });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&drained, &Limit::Below));
  }
  const SqliteEventLog::Stats stats = log->stats();
  log->Shutdown();
  if (failures > 0) {
    state.SkipWithError("appends failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["events_per_commit"] =
      stats.batches_committed == 0
          ? 0.0
          : static_cast<double>(stats.events_committed) /
                static_cast<double>(stats.batches_committed);
}
BENCHMARK(BM_Append)
    ->ArgNames({"in_flight", "normal"})
    ->ArgsProduct({{1, 8, 64, 256}, {0, 1}})
    ->UseRealTime()
    ->MinTime(2.0);

// Catch-up reads: ReadAfter of 1000 events (parse included) from a log of
// 20,000.
void BM_ReadAfter1000(benchmark::State& state) {
  constexpr uint64_t kEvents = 20000;
  BenchDir dir;
  std::unique_ptr<SqliteEventLog> log =
      OpenOrDie(dir.File(), SqliteEventLog::Synchronous::kNormal);
  absl::Mutex mu;
  uint64_t done = 0;
  for (uint64_t n = 0; n < kEvents; ++n) {
    log->Append(MakeEvent(n), [&](auto) {
      absl::MutexLock lock(&mu);
      ++done;
    });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](const uint64_t* count) { return *count == kEvents; },
        static_cast<const uint64_t*>(&done)));
  }
  uint64_t after = 0;
  for (auto _ : state) {
    absl::StatusOr<std::vector<v1::Event>> events = log->ReadAfter(after, 1000);
    if (!events.ok() || events->size() != 1000) {
      state.SkipWithError("short read");
      break;
    }
    benchmark::DoNotOptimize(events);
    after = (after + 1000) % (kEvents - 1000);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ReadAfter1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vouchstream::store

BENCHMARK_MAIN();

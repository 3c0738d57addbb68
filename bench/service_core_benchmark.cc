// The service core's CPU work per event on Voucherify's seed body:
// validation, enrichment, and both together (the Publish path before the
// store). Budget (issue 3): validate + enrich <= 20 us per seed event.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include <benchmark/benchmark.h>

#include "vouchstream/v1/event.pb.h"

#include "service/core/code_config_matcher.h"
#include "service/core/enricher.h"
#include "service/core/reference_data.h"
#include "service/core/validator.h"

namespace {

using ::vouchstream::core::CodeConfigMatcher;
using ::vouchstream::core::Enricher;
using ::vouchstream::core::ReferenceStore;
using ::vouchstream::core::Validator;
using ::vouchstream::v1::Event;

void SetTime(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(time);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

// The seed as the transcoder hands it over, in a v2024 envelope.
const Event& SeedEvent() {
  static const Event* const kEvent = [] {
    const std::string path =
        std::string(VS_TESTDATA_DIR) + "/publication.succeeded.seed.json";
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    auto* event = new Event();
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (!in || !google::protobuf::util::JsonStringToMessage(
                    text.str(), event->mutable_publication_succeeded(), options)
                    .ok()) {
      std::cerr << "cannot read " << path << "\n";
      std::abort();
    }
    const absl::Time created = absl::FromUnixMillis(1706792073174);
    event->set_id("evpub_seed");
    event->set_type("publication.succeeded");
    SetTime(created + absl::Milliseconds(120), event->mutable_received_at());
    event->mutable_envelope()->set_id("whs_seed");
    event->mutable_envelope()->mutable_event()->set_id("evpub_seed");
    SetTime(created, event->mutable_envelope()->mutable_created_at());
    SetTime(created,
            event->mutable_envelope()->mutable_event()->mutable_created_at());
    return event;
  }();
  return *kEvent;
}

// A reference file with facts for the seed's campaign and product. Loaded
// once: the threaded benchmark's threads used to write, read and remove the
// same file at once. The file name is per process, so a manual run beside
// bench/run does not remove bench/run's file ($VS_BENCH_DIR as in
// store_benchmark).
std::shared_ptr<const ReferenceStore> LoadSeedReference() {
  const char* dir = std::getenv("VS_BENCH_DIR");
  const std::string path = (dir != nullptr ? std::string(dir) : "/tmp") +
                           "/service_core_benchmark." +
                           std::to_string(getpid()) + ".reference.json";
  std::ofstream(path) << R"({
    "campaigns": {"camp_EV79Z6CjaAMpX4pFxVivvzzk": {"owner_team": "growth"}},
    "products": {"prod_0df14b7e7d8975079d": {"product_name": "Espresso"}}})";
  auto store = ReferenceStore::Open(path);
  std::remove(path.c_str());
  if (!store.ok()) {
    std::cerr << store.status() << "\n";
    std::abort();
  }
  return *std::move(store);
}

std::shared_ptr<const ReferenceStore> SeedReference() {
  static const auto* const kStore =
      new std::shared_ptr<const ReferenceStore>(LoadSeedReference());
  return *kStore;
}

void BM_Validate(benchmark::State& state) {
  const Validator validator;
  const Event& event = SeedEvent();
  for (auto _ : state) {
    benchmark::DoNotOptimize(validator.Validate(event));
  }
}
BENCHMARK(BM_Validate);

// Enrich writes into the event, so each iteration copies the seed first;
// BM_CopySeed measures that copy alone.
void BM_CopySeed(benchmark::State& state) {
  for (auto _ : state) {
    Event event = SeedEvent();
    benchmark::DoNotOptimize(event);
  }
}
BENCHMARK(BM_CopySeed);

void BM_Enrich(benchmark::State& state) {
  const Enricher enricher(SeedReference());
  for (auto _ : state) {
    Event event = SeedEvent();
    enricher.Enrich(&event);
    benchmark::DoNotOptimize(event);
  }
}
BENCHMARK(BM_Enrich);

// What Publish does with an event before it goes to the store.
void BM_ValidateAndEnrich(benchmark::State& state) {
  const Validator validator;
  const Enricher enricher(SeedReference());
  for (auto _ : state) {
    Event event = SeedEvent();
    if (!validator.Validate(event).ok()) {
      state.SkipWithError("seed is invalid");
      break;
    }
    enricher.Enrich(&event);
    benchmark::DoNotOptimize(event);
  }
}
BENCHMARK(BM_ValidateAndEnrich);
BENCHMARK(BM_ValidateAndEnrich)->Threads(2)->UseRealTime();

// Why the Enricher caches matchers: compiling the seed's code_config RE2
// against looking it up in the cache.
void BM_CompileCodeConfig(benchmark::State& state) {
  const auto& config =
      SeedEvent().publication_succeeded().campaign().voucher().code_config();
  for (auto _ : state) {
    benchmark::DoNotOptimize(CodeConfigMatcher::Compile(config));
  }
}
BENCHMARK(BM_CompileCodeConfig);

void BM_CachedCodeConfig(benchmark::State& state) {
  vouchstream::core::CodeConfigMatcherCache cache;
  const auto& config =
      SeedEvent().publication_succeeded().campaign().voucher().code_config();
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.Get(config));
  }
}
BENCHMARK(BM_CachedCodeConfig);

}  // namespace

BENCHMARK_MAIN();

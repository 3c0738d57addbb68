// What a metric update costs on the hot path (issue 23, BUILD.md): a
// prometheus-cpp counter increment and histogram observation, and the
// per-event updates each binary makes (the gateway's RecordRequest, the
// service's OnPublished + OnCommit), one thread and two threads contending.
// Also a whole scrape of each registry.

#include <memory>

#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include <benchmark/benchmark.h>

#include "common/metrics_registry.h"
#include "gateway/webhook/metrics.h"
#include "service/metrics/service_metrics.h"

namespace {

using vouchstream::common::MetricsRegistry;

void BM_CounterIncrement(benchmark::State& state) {
  static auto* registry = new MetricsRegistry("bench");
  static auto* counter = &prometheus::BuildCounter()
                              .Name("bench_total")
                              .Help("x")
                              .Register(registry->registry())
                              .Add({});
  for (auto _ : state) {
    counter->Increment();
  }
}
BENCHMARK(BM_CounterIncrement)->Threads(1)->Threads(2);

void BM_HistogramObserve(benchmark::State& state) {
  static auto* registry = new MetricsRegistry("bench");
  static auto* histogram =
      &prometheus::BuildHistogram()
           .Name("bench_seconds")
           .Help("x")
           .Register(registry->registry())
           .Add({}, prometheus::Histogram::BucketBoundaries{
                        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                        0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  double value = 0.0003;
  for (auto _ : state) {
    histogram->Observe(value);
    value = value < 1 ? value * 1.7 : 0.0003;
  }
}
BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(2);

// The gateway's per-webhook update: requests, bytes, latency.
void BM_GatewayRecordRequest(benchmark::State& state) {
  static auto* metrics = new vouchstream::gateway::Metrics();
  for (auto _ : state) {
    metrics->RecordRequest(vouchstream::gateway::Route::kWebhookTyped, 200,
                           absl::Microseconds(700), 2700, 27);
  }
}
BENCHMARK(BM_GatewayRecordRequest)->Threads(1)->Threads(2);

// The service's per-event updates: the outcome (type -> family lookup) and
// its share of a commit.
void BM_ServiceOnPublished(benchmark::State& state) {
  static auto* registry = new MetricsRegistry("server");
  static auto* metrics = new vouchstream::metrics::ServiceMetrics(registry);
  for (auto _ : state) {
    metrics->OnPublished("publication.succeeded",
                         vouchstream::core::Telemetry::Outcome::kStored,
                         absl::Microseconds(300));
    metrics->OnCommit(absl::Microseconds(200), 1);
  }
}
BENCHMARK(BM_ServiceOnPublished)->Threads(1)->Threads(2);

void BM_ScrapeGateway(benchmark::State& state) {
  vouchstream::gateway::Metrics metrics;
  metrics.RecordRequest(vouchstream::gateway::Route::kWebhookTyped, 200,
                        absl::Microseconds(700), 2700, 27);
  for (auto _ : state) {
    benchmark::DoNotOptimize(metrics.Render());
  }
}
BENCHMARK(BM_ScrapeGateway);

void BM_ScrapeService(benchmark::State& state) {
  MetricsRegistry registry("server");
  vouchstream::metrics::ServiceMetrics metrics(&registry);
  for (auto _ : state) {
    benchmark::DoNotOptimize(registry.Render());
  }
}
BENCHMARK(BM_ScrapeService);

}  // namespace

BENCHMARK_MAIN();

#include "service/metrics/service_metrics.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "prometheus/client_metric.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "transcode/event_types.h"

namespace vouchstream::metrics {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildHistogram;
using prometheus::Histogram;

constexpr std::array<const char*, 4> kResults = {"stored", "duplicate",
                                                 "quarantined", "refused"};

// Seconds: 100 µs to 10 s.
Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

Histogram& BuildLatency(prometheus::Registry& registry, const char* name,
                        const char* help) {
  return BuildHistogram().Name(name).Help(help).Register(registry).Add(
      {}, LatencyBuckets());
}

prometheus::MetricFamily Gauge(const char* name, const char* help,
                               double value) {
  prometheus::ClientMetric metric;
  metric.gauge.value = value;
  return {name, help, prometheus::MetricType::Gauge, {metric}};
}

}  // namespace

// The values read at each scrape.
class ServiceMetrics::Scrape : public prometheus::Collectable {
 public:
  Scrape(const ServiceMetrics* metrics, core::EventLog* log,
         const core::Broker* broker)
      : metrics_(metrics), log_(log), broker_(broker) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    const uint64_t last_seq = log_->LastSeq();
    std::vector<prometheus::MetricFamily> families;
    families.push_back(Gauge("vouchstream_service_last_seq",
                             "The log's last committed seq.",
                             static_cast<double>(last_seq)));
    families.push_back(Gauge(
        "vouchstream_service_subscribers_open", "Subscribe streams open now.",
        static_cast<double>(broker_->subscription_count())));
    families.push_back(
        Gauge("vouchstream_service_broker_window_bytes",
              "Bytes of the newest events the broker keeps for catching-up "
              "subscribers.",
              static_cast<double>(broker_->window_bytes())));
    prometheus::MetricFamily lag{
        "vouchstream_service_consumer_lag_events",
        "Events after a named consumer's cursor: the log's last seq minus "
        "the cursor it last saved or resumed from.",
        prometheus::MetricType::Gauge,
        {}};
    {
      absl::MutexLock lock(&metrics_->mu_);
      for (const auto& [name, seq] : metrics_->cursors_) {
        prometheus::ClientMetric metric;
        metric.label = {
            {"consumer", name.second},
            {"principal", name.first.empty() ? std::string("-") : name.first}};
        metric.gauge.value =
            static_cast<double>(last_seq > seq ? last_seq - seq : 0);
        lag.metric.push_back(std::move(metric));
      }
    }
    families.push_back(std::move(lag));
    return families;
  }

 private:
  const ServiceMetrics* const metrics_;
  core::EventLog* const log_;
  const core::Broker* const broker_;
};

ServiceMetrics::ServiceMetrics(common::MetricsRegistry* registry)
    : registry_(registry),
      append_duration_(BuildLatency(
          registry->registry(), "vouchstream_service_append_duration_seconds",
          "From a Publish's arrival to its outcome: stored and durable, a "
          "duplicate, quarantined or refused.")),
      commit_duration_(BuildLatency(
          registry->registry(), "vouchstream_service_commit_duration_seconds",
          "One store commit (a SQLite transaction, a JetStream publish).")),
      events_per_commit_(
          BuildHistogram()
              .Name("vouchstream_service_events_per_commit")
              .Help("Appends one store commit took.")
              .Register(registry->registry())
              .Add({}, Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128,
                                                   256, 512, 1024})),
      round_trip_(BuildLatency(
          registry->registry(), "vouchstream_service_store_round_trip_seconds",
          "One JetStream publish and its ack (nats:// stores).")) {
  auto& store_errors =
      BuildCounter()
          .Name("vouchstream_service_store_errors_total")
          .Help(
              "Store operations that failed (appends, quarantine writes, "
              "cursor saves), by status code.")
          .Register(registry->registry());
  for (size_t code = 1; code < store_errors_.size(); ++code) {
    store_errors_[code] = &store_errors.Add(
        {{"code",
          absl::StatusCodeToString(static_cast<absl::StatusCode>(code))}});
  }
  auto& events = BuildCounter()
                     .Name("vouchstream_service_events_total")
                     .Help(
                         "Published events by type family and result: stored, "
                         "duplicate, quarantined, refused.")
                     .Register(registry->registry());
  std::vector<std::string> words = {"other"};
  for (const std::string& type : transcode::TypedEventTypes()) {
    words.emplace_back(type.substr(0, type.find('.')));
  }
  for (const std::string& word : words) {
    if (families_.contains(word)) {
      continue;
    }
    Outcomes outcomes{};
    for (size_t i = 0; i < kResults.size(); ++i) {
      outcomes[i] = &events.Add({{"family", word}, {"result", kResults[i]}});
    }
    families_.emplace(word, outcomes);
  }
  other_ = &families_.at("other");
}

void ServiceMetrics::ReadAtScrape(core::EventLog* log,
                                  const core::Broker* broker) {
  registry_->AddCollector(std::make_shared<Scrape>(this, log, broker));
}

const ServiceMetrics::Outcomes& ServiceMetrics::ForType(
    absl::string_view type) const {
  const auto it = families_.find(type.substr(0, type.find('.')));
  return it == families_.end() ? *other_ : it->second;
}

void ServiceMetrics::OnPublished(absl::string_view type, Outcome outcome,
                                 absl::Duration took) {
  ForType(type)[static_cast<size_t>(outcome)]->Increment();
  append_duration_.Observe(absl::ToDoubleSeconds(took));
}

void ServiceMetrics::OnCommit(absl::Duration took, size_t events) {
  commit_duration_.Observe(absl::ToDoubleSeconds(took));
  events_per_commit_.Observe(static_cast<double>(events));
}

void ServiceMetrics::OnStoreError(absl::StatusCode code) {
  auto index = static_cast<size_t>(code);
  if (index == 0 || index >= store_errors_.size()) {
    index = static_cast<size_t>(absl::StatusCode::kUnknown);
  }
  store_errors_[index]->Increment();
}

void ServiceMetrics::OnStoreRoundTrip(absl::Duration took) {
  round_trip_.Observe(absl::ToDoubleSeconds(took));
}

void ServiceMetrics::OnConsumerCursor(absl::string_view principal,
                                      absl::string_view consumer,
                                      uint64_t seq) {
  absl::MutexLock lock(&mu_);
  std::pair<std::string, std::string> key{std::string{principal},
                                          std::string{consumer}};
  const auto it = cursors_.find(key);
  if (it != cursors_.end()) {
    it->second = seq;
  } else if (cursors_.size() < kMaxConsumers) {
    cursors_.emplace(std::move(key), seq);
  }
}

}  // namespace vouchstream::metrics

#pragma once
// vouchstream-server's Prometheus metrics, on prometheus-cpp: core::Telemetry
// turned into series, plus values read at each scrape. With the shared
// ones of common/metrics_registry.h (build_info, process_*):
//
//   vouchstream_service_events_total{family,result}      counter
//       result: stored, duplicate, quarantined, refused; family: the first
//       word of a contract type ("publication"), "other" for any other
//   vouchstream_service_append_duration_seconds          histogram
//       from a Publish's arrival to its outcome (stored and acked, ...)
//   vouchstream_service_commit_duration_seconds          histogram
//   vouchstream_service_events_per_commit                histogram
//   vouchstream_service_store_round_trip_seconds         histogram
//       one JetStream publish and its ack (nats:// stores only)
//   vouchstream_service_store_errors_total{code}         counter
//   vouchstream_service_last_seq                         gauge   (scrape)
//   vouchstream_service_subscribers_open                 gauge   (scrape)
//   vouchstream_service_broker_window_bytes              gauge   (scrape)
//   vouchstream_service_consumer_lag_events{principal,consumer} gauge
//       (scrape) last seq minus the named consumer's cursor, for each
//       consumer that saved or resumed from its cursor since the start;
//       at most kMaxConsumers of them
//
// Label values come from the contract, gRPC's code names and the access
// file's principals and their consumers, never from event contents.
//
//   auto metrics = std::make_shared<common::MetricsRegistry>("server");
//   ServiceMetrics service_metrics(metrics.get());
//   options.telemetry = &service_metrics;    // the store's
//   ... open the log, start the broker ...
//   service_metrics.ReadAtScrape(log, &broker);
//   Publisher publisher(log, ..., &service_metrics);
//
// Thread-safe. Must outlive everything that reports to it and every scrape.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"

#include "common/metrics_registry.h"
#include "service/core/broker.h"
#include "service/core/event_log.h"
#include "service/core/telemetry.h"

namespace vouchstream::metrics {

class ServiceMetrics : public core::Telemetry {
 public:
  // Named consumers tracked for lag; later ones are left out.
  static constexpr size_t kMaxConsumers = 1000;

  // Registers the families on `registry`, which must outlive this object.
  explicit ServiceMetrics(common::MetricsRegistry* registry);

  // Adds the values read from `log` and `broker` at each scrape (last seq,
  // lag, subscribers, window). Call once, before serving; both must
  // outlive every scrape.
  void ReadAtScrape(core::EventLog* log, const core::Broker* broker);

  // core::Telemetry:
  void OnPublished(absl::string_view type, Outcome outcome,
                   absl::Duration took) override;
  void OnCommit(absl::Duration took, size_t events) override;
  void OnStoreError(absl::StatusCode code) override;
  void OnStoreRoundTrip(absl::Duration took) override;
  void OnConsumerCursor(absl::string_view principal, absl::string_view consumer,
                        uint64_t seq) override;

 private:
  class Scrape;
  using Outcomes = std::array<prometheus::Counter*, 4>;

  // The series of `family` ("other" for a word the contract does not have).
  const Outcomes& ForType(absl::string_view type) const;

  // (principal, consumer) -> cursor seq.
  using Cursors =
      absl::flat_hash_map<std::pair<std::string, std::string>, uint64_t>;

  common::MetricsRegistry* const registry_;
  absl::flat_hash_map<std::string, Outcomes> families_;
  const Outcomes* other_ = nullptr;
  prometheus::Histogram& append_duration_;
  prometheus::Histogram& commit_duration_;
  prometheus::Histogram& events_per_commit_;
  prometheus::Histogram& round_trip_;
  // By absl::StatusCode (0..16), every code but OK listed from the start so
  // that alerts and dashboards see 0, not absence.
  std::array<prometheus::Counter*, 17> store_errors_{};

  mutable absl::Mutex mu_;
  Cursors cursors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::metrics

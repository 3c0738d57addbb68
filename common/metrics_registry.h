#pragma once
// One binary's Prometheus metrics: prometheus-cpp's registry for the metric
// families the binary declares, plus collectors read at scrape time (the
// `process_*` metrics, and any the binary adds), as one Collectable and as
// the text exposition format. Declares the metrics both binaries share:
//
//   vouchstream_build_info{binary,version}  gauge, always 1
//   process_*                               common/process_metrics.h
//
//   auto metrics = std::make_shared<common::MetricsRegistry>("gateway");
//   auto& sent = prometheus::BuildCounter().Name("x_total").Help("...")
//                    .Register(metrics->registry()).Add({});
//   std::string text = metrics->Render();   // GET /metrics
//
// Thread-safe: metrics may be updated and collected from any thread;
// AddCollector must happen before the first scrape.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace vouchstream::common {

// The Content-Type of Render()'s text.
inline constexpr absl::string_view kMetricsContentType =
    "text/plain; version=0.0.4; charset=utf-8";

class MetricsRegistry : public prometheus::Collectable {
 public:
  // `binary` names the binary in vouchstream_build_info ("gateway").
  explicit MetricsRegistry(absl::string_view binary);

  // Where the binary registers its families.
  prometheus::Registry& registry() { return *registry_; }

  // Adds a collector read at each scrape. Call before serving.
  void AddCollector(std::shared_ptr<const prometheus::Collectable> collector);

  // Every family: the registry's, then the collectors'.
  std::vector<prometheus::MetricFamily> Collect() const override;

  // Collect() in the Prometheus text format (version 0.0.4).
  std::string Render() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<std::shared_ptr<const prometheus::Collectable>> collectors_;
};

}  // namespace vouchstream::common

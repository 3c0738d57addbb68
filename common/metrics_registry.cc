#include "common/metrics_registry.h"

#include <sstream>
#include <utility>

#include "prometheus/gauge.h"
#include "prometheus/text_serializer.h"

#include "common/process_metrics.h"

namespace vouchstream::common {

MetricsRegistry::MetricsRegistry(absl::string_view binary)
    : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("vouchstream_build_info")
      .Help("Always 1; the labels name the binary and its version.")
      .Register(*registry_)
      .Add({{"binary", std::string{binary}}, {"version", VS_VERSION}})
      .Set(1);
  collectors_.push_back(std::make_shared<ProcessMetrics>());
}

void MetricsRegistry::AddCollector(
    std::shared_ptr<const prometheus::Collectable> collector) {
  collectors_.push_back(std::move(collector));
}

std::vector<prometheus::MetricFamily> MetricsRegistry::Collect() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (const auto& collector : collectors_) {
    std::vector<prometheus::MetricFamily> more = collector->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  return families;
}

std::string MetricsRegistry::Render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, Collect());
  return out.str();
}

}  // namespace vouchstream::common

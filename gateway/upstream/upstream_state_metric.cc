#include "gateway/upstream/upstream_state_metric.h"

namespace vouchstream::gateway {

std::vector<prometheus::MetricFamily> UpstreamStateMetric::Collect() const {
  const grpc_connectivity_state state = channel_->GetState(false);
  prometheus::ClientMetric metric;
  metric.gauge.value =
      state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN
          ? 0
          : 1;
  return {prometheus::MetricFamily{
      "vouchstream_gateway_upstream_connected",
      "0 while the gateway cannot reach the service (its channel is in "
      "TRANSIENT_FAILURE), 1 otherwise.",
      prometheus::MetricType::Gauge,
      {metric}}};
}

}  // namespace vouchstream::gateway

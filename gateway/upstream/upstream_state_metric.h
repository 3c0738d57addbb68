#pragma once
// `vouchstream_gateway_upstream_connected`, read at each scrape from the
// upstream channel's connectivity state: 0 while the channel is in
// TRANSIENT_FAILURE or SHUTDOWN (the service cannot be reached), 1 when it
// is READY, CONNECTING or IDLE (no call has needed it yet).
//
//   metrics.AddCollector(std::make_shared<UpstreamStateMetric>(channel));
//
// Thread-safe: Collect() only reads the channel's state.

#include <memory>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include <grpcpp/grpcpp.h>

namespace vouchstream::gateway {

class UpstreamStateMetric : public prometheus::Collectable {
 public:
  explicit UpstreamStateMetric(std::shared_ptr<grpc::Channel> channel)
      : channel_(std::move(channel)) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace vouchstream::gateway

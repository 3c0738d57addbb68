#pragma once
// The standard `process_*` metrics every Prometheus client library exports,
// read from /proc/self at each scrape (prometheus-cpp 1.0 has no process
// collector):
//
//   process_cpu_seconds_total        counter  user + system CPU
//   process_resident_memory_bytes    gauge
//   process_virtual_memory_bytes     gauge
//   process_open_fds                 gauge
//   process_max_fds                  gauge    the soft RLIMIT_NOFILE
//   process_start_time_seconds       gauge    since the Unix epoch
//
//   registry.Register(std::make_shared<common::ProcessMetrics>());
//
// Thread-safe: Collect() reads the kernel's files and keeps no state.

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace vouchstream::common {

class ProcessMetrics : public prometheus::Collectable {
 public:
  // The families above; a value /proc does not give is left out.
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace vouchstream::common

#pragma once
// Serves a MetricsRegistry as Prometheus text on `GET /metrics` over plain
// HTTP on its own address, with prometheus-cpp's pull exposer (its own
// small HTTP server and threads, off every hot path). For a binary that has
// no HTTP server of its own (vouchstream-server's --metrics-listen).
//
//   auto server = common::MetricsServer::Start("127.0.0.1:9464", metrics);
//   if (!server.ok()) { ... }            // kUnavailable: cannot listen
//   std::printf("metrics on %s\n", (*server)->address().c_str());
//
// Stops serving when destroyed.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "common/metrics_registry.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace vouchstream::common {

class MetricsServer {
 public:
  // Listens on `address` (HOST:PORT; port 0 picks a free one).
  // kInvalidArgument for an address without a port, kUnavailable when it
  // cannot listen.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      absl::string_view address, std::shared_ptr<MetricsRegistry> metrics);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // HOST:PORT as bound, with the port the kernel picked.
  const std::string& address() const { return address_; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer,
                std::shared_ptr<MetricsRegistry> metrics, std::string address);

  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<MetricsRegistry> metrics_;
  std::string address_;
};

}  // namespace vouchstream::common

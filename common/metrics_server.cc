#include "common/metrics_server.h"

#include <exception>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"

namespace vouchstream::common {

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    absl::string_view address, std::shared_ptr<MetricsRegistry> metrics) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon + 1 == address.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address \"", address, "\" has no :PORT"));
  }
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // One thread: a scrape every few seconds needs no more.
    exposer = std::make_unique<prometheus::Exposer>(std::string{address}, 1);
  } catch (const std::exception& e) {  // civetweb's CivetException
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address));
  }
  exposer->RegisterCollectable(metrics);
  std::string bound =
      absl::StrCat(address.substr(0, colon), ":", ports.front());
  return std::unique_ptr<MetricsServer>(new MetricsServer(
      std::move(exposer), std::move(metrics), std::move(bound)));
}

MetricsServer::MetricsServer(std::unique_ptr<prometheus::Exposer> exposer,
                             std::shared_ptr<MetricsRegistry> metrics,
                             std::string address)
    : exposer_(std::move(exposer)),
      metrics_(std::move(metrics)),
      address_(std::move(address)) {}

MetricsServer::~MetricsServer() = default;

}  // namespace vouchstream::common

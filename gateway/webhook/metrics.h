#pragma once
// The gateway's Prometheus metrics, on prometheus-cpp (rendered for
// `GET /metrics` with the shared ones of common/metrics_registry.h):
//
//   vouchstream_gateway_requests_total{route,code}   counter
//   vouchstream_gateway_request_bytes_total          counter (bodies in)
//   vouchstream_gateway_response_bytes_total         counter (bodies out)
//   vouchstream_gateway_request_duration_seconds     histogram, all routes
//   vouchstream_gateway_signature_failures_total     counter
//   vouchstream_gateway_upstream_errors_total{code}  counter (gRPC code name,
//                                                    or DEADLINE_EXCEEDED for
//                                                    the gateway's own timer)
//   vouchstream_gateway_upstream_connected           gauge (0 while the
//                                                    service cannot be
//                                                    reached; at scrape)
//   vouchstream_gateway_in_flight_requests           gauge
//   vouchstream_gateway_rejected_total{reason}       counter (hardening
//                                                    refusals:
//                                                    source_not_allowed,
//                                                    rate_limited,
//                                                    request_timeout,
//                                                    too_many_connections)
//   vouchstream_gateway_connections_open             gauge
//   vouchstream_gateway_rate_limit_sources           gauge (tracked buckets)
//   vouchstream_gateway_tls_handshake_failures_total counter
//
// Label values come from fixed tables (routes, status codes, gRPC codes,
// refusals), never from requests. Each series is resolved once and kept, so
// an update is one atomic add (bench/metrics_benchmark.cc).
//
// Thread-safe: every method may be called from any thread.

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"

#include "common/metrics_registry.h"
#include "gateway/webhook/refusal.h"
#include "gateway/webhook/router.h"

namespace vouchstream::gateway {

class Metrics {
 public:
  // Registers the gateway's families, build_info and process_* on a
  // registry of its own.
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void RecordRequest(Route route, int http_status, absl::Duration latency,
                     size_t request_bytes, size_t response_bytes);
  void RecordSignatureFailure() { signature_failures_.Increment(); }
  // `grpc_code` is a grpc::StatusCode value; the gateway's own publish
  // deadline counts as DEADLINE_EXCEEDED (4).
  void RecordUpstreamError(int grpc_code);
  void AddInFlight(int delta) { in_flight_.Increment(delta); }
  void RecordRefusal(Refusal refusal) {
    rejected_[static_cast<size_t>(refusal)]->Increment();
  }
  void AddConnectionsOpen(int delta) { connections_open_.Increment(delta); }
  void SetRateLimitSources(size_t sources) {
    rate_limit_sources_.Set(static_cast<double>(sources));
  }
  void RecordTlsHandshakeFailure() { tls_handshake_failures_.Increment(); }

  // Adds a collector read at each scrape (upstream_state_metric.h). Call
  // before serving.
  void AddCollector(std::shared_ptr<const prometheus::Collectable> collector) {
    registry_->AddCollector(std::move(collector));
  }

  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const { return registry_->Render(); }

 private:
  static constexpr std::array<int, 16> kCodes = {200, 400, 401, 403, 404, 405,
                                                 408, 413, 415, 422, 429, 431,
                                                 500, 502, 503, 0};
  static constexpr int kGrpcCodes = 17;

  // The series of `requests_total` for route and code index, added on first
  // use (a series appears once it has counted something).
  prometheus::Counter& Requests(size_t route, size_t code);

  std::shared_ptr<common::MetricsRegistry> registry_;
  prometheus::Family<prometheus::Counter>& requests_family_;
  std::array<std::array<std::atomic<prometheus::Counter*>, kCodes.size()>,
             kRouteCount>
      requests_{};
  // By gRPC code; every code but OK listed from the start.
  std::array<prometheus::Counter*, kGrpcCodes> upstream_errors_{};
  prometheus::Counter& request_bytes_;
  prometheus::Counter& response_bytes_;
  prometheus::Histogram& latency_;
  prometheus::Counter& signature_failures_;
  prometheus::Gauge& in_flight_;
  std::array<prometheus::Counter*, kRefusalCount> rejected_{};
  prometheus::Gauge& connections_open_;
  prometheus::Gauge& rate_limit_sources_;
  prometheus::Counter& tls_handshake_failures_;
};

}  // namespace vouchstream::gateway

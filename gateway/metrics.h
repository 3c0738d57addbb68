#pragma once
// The gateway's Prometheus metrics, rendered for `GET /metrics`:
//
//   vouchstream_gateway_requests_total{route,code}   counter
//   vouchstream_gateway_request_bytes_total          counter (bodies in)
//   vouchstream_gateway_response_bytes_total         counter (bodies out)
//   vouchstream_gateway_request_duration_seconds     histogram, all routes
//   vouchstream_gateway_signature_failures_total     counter
//   vouchstream_gateway_upstream_errors_total{code}  counter (gRPC code name,
//                                                    or DEADLINE_EXCEEDED for
//                                                    the gateway's own timer)
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
// Thread-safe: lock-free relaxed atomics; `Render` reads a slightly torn but
// monotonic snapshot, which Prometheus tolerates.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/time/time.h"

#include "gateway/refusal.h"
#include "gateway/router.h"

namespace vouchstream::gateway {

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void RecordRequest(Route route, int http_status, absl::Duration latency,
                     size_t request_bytes, size_t response_bytes);
  void RecordSignatureFailure() {
    signature_failures_.fetch_add(1, std::memory_order_relaxed);
  }
  // `grpc_code` is a grpc::StatusCode value; the gateway's own publish
  // deadline counts as DEADLINE_EXCEEDED (4).
  void RecordUpstreamError(int grpc_code);
  void AddInFlight(int delta) {
    in_flight_.fetch_add(delta, std::memory_order_relaxed);
  }

  void RecordRefusal(Refusal refusal) {
    rejected_[static_cast<size_t>(refusal)].fetch_add(
        1, std::memory_order_relaxed);
  }
  void AddConnectionsOpen(int delta) {
    connections_open_.fetch_add(delta, std::memory_order_relaxed);
  }
  void SetRateLimitSources(size_t sources) {
    rate_limit_sources_.store(static_cast<int64_t>(sources),
                              std::memory_order_relaxed);
  }
  void RecordTlsHandshakeFailure() {
    tls_handshake_failures_.fetch_add(1, std::memory_order_relaxed);
  }

  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  static constexpr std::array<int, 16> kCodes = {200, 400, 401, 403, 404, 405,
                                                 408, 413, 415, 422, 429, 431,
                                                 500, 502, 503, 0};
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  static constexpr int kGrpcCodes = 17;

  using Counter = std::atomic<uint64_t>;

  std::array<std::array<Counter, kCodes.size()>, kRouteCount> requests_{};
  Counter request_bytes_{0};
  Counter response_bytes_{0};
  std::array<Counter, kBuckets.size() + 1> latency_buckets_{};
  Counter latency_sum_us_{0};
  Counter latency_count_{0};
  Counter signature_failures_{0};
  std::array<Counter, kGrpcCodes> upstream_errors_{};
  std::atomic<int64_t> in_flight_{0};
  std::array<Counter, kRefusalCount> rejected_{};
  std::atomic<int64_t> connections_open_{0};
  std::atomic<int64_t> rate_limit_sources_{0};
  Counter tls_handshake_failures_{0};
};

}  // namespace vouchstream::gateway

#include "gateway/metrics.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace vouchstream::gateway {
namespace {

constexpr std::array<const char*, 17> kGrpcCodeNames = {"OK",
                                                        "CANCELLED",
                                                        "UNKNOWN",
                                                        "INVALID_ARGUMENT",
                                                        "DEADLINE_EXCEEDED",
                                                        "NOT_FOUND",
                                                        "ALREADY_EXISTS",
                                                        "PERMISSION_DENIED",
                                                        "RESOURCE_EXHAUSTED",
                                                        "FAILED_PRECONDITION",
                                                        "ABORTED",
                                                        "OUT_OF_RANGE",
                                                        "UNIMPLEMENTED",
                                                        "INTERNAL",
                                                        "UNAVAILABLE",
                                                        "DATA_LOSS",
                                                        "UNAUTHENTICATED"};

}  // namespace

void Metrics::RecordRequest(Route route, int http_status,
                            absl::Duration latency, size_t request_bytes,
                            size_t response_bytes) {
  size_t code_index = kCodes.size() - 1;  // "other"
  for (size_t i = 0; i + 1 < kCodes.size(); ++i) {
    if (kCodes[i] == http_status) {
      code_index = i;
      break;
    }
  }
  requests_[static_cast<size_t>(route)][code_index].fetch_add(
      1, std::memory_order_relaxed);
  request_bytes_.fetch_add(request_bytes, std::memory_order_relaxed);
  response_bytes_.fetch_add(response_bytes, std::memory_order_relaxed);
  const double seconds = absl::ToDoubleSeconds(latency);
  size_t bucket = kBuckets.size();  // +Inf
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      bucket = i;
      break;
    }
  }
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(
      static_cast<uint64_t>(absl::ToInt64Microseconds(latency)),
      std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::RecordUpstreamError(int grpc_code) {
  if (grpc_code < 0 || grpc_code >= kGrpcCodes) {
    grpc_code = 2;  // UNKNOWN
  }
  upstream_errors_[static_cast<size_t>(grpc_code)].fetch_add(
      1, std::memory_order_relaxed);
}

std::string Metrics::Render() const {
  std::string out;
  out +=
      "# HELP vouchstream_gateway_requests_total HTTP requests by route and "
      "status code.\n"
      "# TYPE vouchstream_gateway_requests_total counter\n";
  for (int route = 0; route < kRouteCount; ++route) {
    for (size_t code = 0; code < kCodes.size(); ++code) {
      const uint64_t value = requests_[static_cast<size_t>(route)][code].load(
          std::memory_order_relaxed);
      if (value == 0) {
        continue;
      }
      absl::StrAppend(
          &out, "vouchstream_gateway_requests_total{route=\"",
          RouteLabel(static_cast<Route>(route)), "\",code=\"",
          kCodes[code] == 0 ? std::string("other") : absl::StrCat(kCodes[code]),
          "\"} ", value, "\n");
    }
  }
  absl::StrAppend(
      &out,
      "# HELP vouchstream_gateway_request_bytes_total Request body bytes.\n"
      "# TYPE vouchstream_gateway_request_bytes_total counter\n"
      "vouchstream_gateway_request_bytes_total ",
      request_bytes_.load(std::memory_order_relaxed), "\n",
      "# HELP vouchstream_gateway_response_bytes_total Response body bytes.\n"
      "# TYPE vouchstream_gateway_response_bytes_total counter\n"
      "vouchstream_gateway_response_bytes_total ",
      response_bytes_.load(std::memory_order_relaxed), "\n");
  out +=
      "# HELP vouchstream_gateway_request_duration_seconds Time from a "
      "complete request to its response.\n"
      "# TYPE vouchstream_gateway_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kBuckets.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    absl::StrAppend(
        &out, "vouchstream_gateway_request_duration_seconds_bucket{le=\"",
        i < kBuckets.size() ? absl::StrCat(kBuckets[i]) : std::string("+Inf"),
        "\"} ", cumulative, "\n");
  }
  absl::StrAppend(
      &out, "vouchstream_gateway_request_duration_seconds_sum ",
      static_cast<double>(latency_sum_us_.load(std::memory_order_relaxed)) /
          1e6,
      "\n", "vouchstream_gateway_request_duration_seconds_count ",
      latency_count_.load(std::memory_order_relaxed), "\n");
  absl::StrAppend(
      &out,
      "# HELP vouchstream_gateway_signature_failures_total Requests refused "
      "for a missing or wrong signature.\n"
      "# TYPE vouchstream_gateway_signature_failures_total counter\n"
      "vouchstream_gateway_signature_failures_total ",
      signature_failures_.load(std::memory_order_relaxed), "\n");
  out +=
      "# HELP vouchstream_gateway_upstream_errors_total Publishes the service "
      "failed or did not ack in time, by gRPC code.\n"
      "# TYPE vouchstream_gateway_upstream_errors_total counter\n";
  for (int code = 0; code < kGrpcCodes; ++code) {
    const uint64_t value = upstream_errors_[static_cast<size_t>(code)].load(
        std::memory_order_relaxed);
    if (value != 0) {
      absl::StrAppend(&out, "vouchstream_gateway_upstream_errors_total{code=\"",
                      kGrpcCodeNames[static_cast<size_t>(code)], "\"} ", value,
                      "\n");
    }
  }
  absl::StrAppend(
      &out,
      "# HELP vouchstream_gateway_in_flight_requests Requests read but not "
      "yet answered.\n"
      "# TYPE vouchstream_gateway_in_flight_requests gauge\n"
      "vouchstream_gateway_in_flight_requests ",
      in_flight_.load(std::memory_order_relaxed), "\n");
  out +=
      "# HELP vouchstream_gateway_rejected_total Requests or connections "
      "refused by the gateway's hardening, by reason.\n"
      "# TYPE vouchstream_gateway_rejected_total counter\n";
  for (int refusal = 0; refusal < kRefusalCount; ++refusal) {
    // Every reason is always listed, so a dashboard sees 0, not absence.
    absl::StrAppend(
        &out, "vouchstream_gateway_rejected_total{reason=\"",
        RefusalLabel(static_cast<Refusal>(refusal)), "\"} ",
        rejected_[static_cast<size_t>(refusal)].load(std::memory_order_relaxed),
        "\n");
  }
  absl::StrAppend(
      &out,
      "# HELP vouchstream_gateway_connections_open HTTP connections open "
      "now.\n"
      "# TYPE vouchstream_gateway_connections_open gauge\n"
      "vouchstream_gateway_connections_open ",
      connections_open_.load(std::memory_order_relaxed), "\n",
      "# HELP vouchstream_gateway_rate_limit_sources Sources the rate "
      "limiter tracks (bounded).\n"
      "# TYPE vouchstream_gateway_rate_limit_sources gauge\n"
      "vouchstream_gateway_rate_limit_sources ",
      rate_limit_sources_.load(std::memory_order_relaxed), "\n",
      "# HELP vouchstream_gateway_tls_handshake_failures_total TLS handshakes "
      "that failed or timed out.\n"
      "# TYPE vouchstream_gateway_tls_handshake_failures_total counter\n"
      "vouchstream_gateway_tls_handshake_failures_total ",
      tls_handshake_failures_.load(std::memory_order_relaxed), "\n");
  return out;
}

}  // namespace vouchstream::gateway

#include "gateway/webhook/metrics.h"

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

// Seconds from a complete request to its response: 0.5 ms to 10 s.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* const kBuckets =
      new prometheus::Histogram::BucketBoundaries{
          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return *kBuckets;
}

prometheus::Counter& Counter(prometheus::Registry& registry, const char* name,
                             const char* help) {
  return prometheus::BuildCounter()
      .Name(name)
      .Help(help)
      .Register(registry)
      .Add({});
}

prometheus::Gauge& Gauge(prometheus::Registry& registry, const char* name,
                         const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add(
      {});
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<common::MetricsRegistry>("gateway")),
      requests_family_(prometheus::BuildCounter()
                           .Name("vouchstream_gateway_requests_total")
                           .Help("HTTP requests by route and status code.")
                           .Register(registry_->registry())),
      request_bytes_(Counter(registry_->registry(),
                             "vouchstream_gateway_request_bytes_total",
                             "Request body bytes.")),
      response_bytes_(Counter(registry_->registry(),
                              "vouchstream_gateway_response_bytes_total",
                              "Response body bytes.")),
      latency_(prometheus::BuildHistogram()
                   .Name("vouchstream_gateway_request_duration_seconds")
                   .Help("Time from a complete request to its response.")
                   .Register(registry_->registry())
                   .Add({}, LatencyBuckets())),
      signature_failures_(Counter(
          registry_->registry(), "vouchstream_gateway_signature_failures_total",
          "Requests refused for a missing or wrong signature.")),
      in_flight_(Gauge(registry_->registry(),
                       "vouchstream_gateway_in_flight_requests",
                       "Requests read but not yet answered.")),
      connections_open_(Gauge(registry_->registry(),
                              "vouchstream_gateway_connections_open",
                              "HTTP connections open now.")),
      rate_limit_sources_(Gauge(registry_->registry(),
                                "vouchstream_gateway_rate_limit_sources",
                                "Sources the rate limiter tracks (bounded).")),
      tls_handshake_failures_(
          Counter(registry_->registry(),
                  "vouchstream_gateway_tls_handshake_failures_total",
                  "TLS handshakes that failed or timed out.")) {
  auto& rejected = prometheus::BuildCounter()
                       .Name("vouchstream_gateway_rejected_total")
                       .Help(
                           "Requests or connections refused by the gateway's "
                           "hardening, by reason.")
                       .Register(registry_->registry());
  auto& upstream_errors =
      prometheus::BuildCounter()
          .Name("vouchstream_gateway_upstream_errors_total")
          .Help(
              "Publishes the service failed or did not ack in time, by "
              "gRPC code.")
          .Register(registry_->registry());
  for (size_t code = 1; code < kGrpcCodeNames.size(); ++code) {
    upstream_errors_[code] =
        &upstream_errors.Add({{"code", kGrpcCodeNames[code]}});
  }
  // Every reason is always listed, so a dashboard sees 0, not absence.
  for (int refusal = 0; refusal < kRefusalCount; ++refusal) {
    rejected_[static_cast<size_t>(refusal)] = &rejected.Add(
        {{"reason", std::string{RefusalLabel(static_cast<Refusal>(refusal))}}});
  }
}

prometheus::Counter& Metrics::Requests(size_t route, size_t code) {
  std::atomic<prometheus::Counter*>& slot = requests_[route][code];
  prometheus::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add returns the existing series for the same labels, so two
    // threads racing here store the same pointer.
    counter = &requests_family_.Add(
        {{"route", RouteLabel(static_cast<Route>(route))},
         {"code", kCodes[code] == 0 ? std::string("other")
                                    : absl::StrCat(kCodes[code])}});
    slot.store(counter, std::memory_order_release);
  }
  return *counter;
}

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
  Requests(static_cast<size_t>(route), code_index).Increment();
  request_bytes_.Increment(static_cast<double>(request_bytes));
  response_bytes_.Increment(static_cast<double>(response_bytes));
  latency_.Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::RecordUpstreamError(int grpc_code) {
  if (grpc_code <= 0 || grpc_code >= kGrpcCodes) {
    grpc_code = 2;  // UNKNOWN
  }
  upstream_errors_[static_cast<size_t>(grpc_code)]->Increment();
}

}  // namespace vouchstream::gateway

#pragma once
// Asks the service whether it is ready, with grpc.health.v1 `Check` (the
// whole server, service name ""), for `GET /readyz`.
//
//   UpstreamHealth health(channel);
//   health.Check([](absl::Status status) { ... });  // OK when SERVING.
//
// Each check is one async unary call with a short deadline; `done` runs on
// a gRPC thread and must not block. Thread-safe.

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include <grpcpp/grpcpp.h>

namespace vouchstream::gateway {

class UpstreamHealth {
 public:
  explicit UpstreamHealth(std::shared_ptr<grpc::Channel> channel,
                          absl::Duration timeout = absl::Seconds(1));

  // `done` gets OK when the service answers SERVING, kUnavailable with the
  // reason otherwise.
  void Check(std::function<void(absl::Status)> done);

 private:
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  const absl::Duration timeout_;
};

}  // namespace vouchstream::gateway

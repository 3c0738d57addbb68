#include "gateway/upstream/upstream_health.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vouchstream::gateway {

UpstreamHealth::UpstreamHealth(std::shared_ptr<grpc::Channel> channel,
                               absl::Duration timeout)
    : stub_(grpc::health::v1::Health::NewStub(std::move(channel))),
      timeout_(timeout) {}

void UpstreamHealth::Check(std::function<void(absl::Status)> done) {
  struct CheckCall {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    std::function<void(absl::Status)> done;
  };
  auto* call = new CheckCall;
  call->done = std::move(done);
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoMicroseconds(timeout_));
  stub_->async()->Check(
      &call->context, &call->request, &call->response,
      [call](const grpc::Status& status) {
        absl::Status result;
        if (!status.ok()) {
          result = absl::UnavailableError(absl::StrCat(
              "upstream health check failed: ", status.error_message()));
        } else if (call->response.status() !=
                   grpc::health::v1::HealthCheckResponse::SERVING) {
          result = absl::UnavailableError(absl::StrCat(
              "upstream is ",
              grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                  call->response.status())));
        }
        std::function<void(absl::Status)> done = std::move(call->done);
        delete call;
        done(std::move(result));
      });
}

}  // namespace vouchstream::gateway

#include "common/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/types/optional.h"

namespace vouchstream::common {
namespace {

// absl and gRPC share google.rpc.Code's numbers 0..16.
constexpr int kLastCode = static_cast<int>(grpc::StatusCode::UNAUTHENTICATED);

int CheckedCode(int code) {
  return code < 0 || code > kLastCode
             ? static_cast<int>(grpc::StatusCode::UNKNOWN)
             : code;
}

}  // namespace

grpc::StatusCode ToGrpcCode(absl::StatusCode code) {
  return static_cast<grpc::StatusCode>(CheckedCode(static_cast<int>(code)));
}

absl::StatusCode FromGrpcCode(grpc::StatusCode code) {
  return static_cast<absl::StatusCode>(CheckedCode(static_cast<int>(code)));
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(ToGrpcCode(status.code())));
  rpc_status.set_message(std::string{status.message()});
  status.ForEachPayload(
      [&rpc_status](absl::string_view type_url, const absl::Cord& payload) {
        google::protobuf::Any* any = rpc_status.add_details();
        any->set_type_url(std::string{type_url});
        any->set_value(std::string{payload});
      });
  return rpc_status;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  const grpc::StatusCode code = ToGrpcCode(status.code());
  const std::string message(status.message());
  // Details that came from a grpc::Status go back as they came.
  const absl::optional<absl::Cord> details =
      status.GetPayload(kGrpcStatusDetailsUrl);
  if (details.has_value()) {
    return {code, message, std::string{*details}};
  }
  bool has_payload = false;
  status.ForEachPayload([&has_payload](absl::string_view, const absl::Cord&) {
    has_payload = true;
  });
  if (!has_payload) {
    return {code, message};
  }
  return {code, message, ToRpcStatus(status).SerializeAsString()};
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) {
    return absl::OkStatus();
  }
  absl::Status converted(FromGrpcCode(status.error_code()),
                         status.error_message());
  if (!status.error_details().empty()) {
    converted.SetPayload(kGrpcStatusDetailsUrl,
                         absl::Cord(status.error_details()));
  }
  return converted;
}

}  // namespace vouchstream::common

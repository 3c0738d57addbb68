#include "service/rpc/status_mapping.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"

namespace vouchstream::rpc {

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(status.code()));
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
  int code = static_cast<int>(status.code());
  // absl and gRPC share google.rpc.Code's numbers 0..16.
  if (code < 0 || code > static_cast<int>(grpc::StatusCode::UNAUTHENTICATED)) {
    code = static_cast<int>(grpc::StatusCode::UNKNOWN);
  }
  const std::string message(status.message());
  bool has_payload = false;
  status.ForEachPayload([&has_payload](absl::string_view, const absl::Cord&) {
    has_payload = true;
  });
  if (!has_payload) {
    return {static_cast<grpc::StatusCode>(code), message};
  }
  google::rpc::Status rpc_status = ToRpcStatus(status);
  rpc_status.set_code(code);
  return {static_cast<grpc::StatusCode>(code), message,
          rpc_status.SerializeAsString()};
}

}  // namespace vouchstream::rpc

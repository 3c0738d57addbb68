#pragma once
// The one place where an absl::Status becomes a grpc::Status (STYLE.md,
// "Errors"): the code carries over by number (both follow google.rpc.Code),
// the message as it is, and every payload of the absl::Status (e.g. the
// `google.rpc.BadRequest` of core/bad_request.h) is packed as a
// `google.protobuf.Any` into a `google.rpc.Status`, whose serialized bytes
// become the grpc::Status's binary error details, the way gRPC's
// error_details example does it. Clients read them back from the
// `grpc-status-details-bin` trailer.
//
//   reactor->Finish(ToGrpcStatus(result.status()));
//
// Thread-safe: free functions without shared state.

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace vouchstream::rpc {

// OK maps to grpc::Status::OK; an unknown code to UNKNOWN.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The `google.rpc.Status` that ToGrpcStatus packs into the details (code,
// message and one `Any` per payload).
google::rpc::Status ToRpcStatus(const absl::Status& status);

}  // namespace vouchstream::rpc

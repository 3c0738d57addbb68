#pragma once
// The service's absl::Status -> grpc::Status edge (STYLE.md, "Errors"). The
// conversion itself is common/grpc_status.h (shared with the clients and
// tests since issue 23); the reactors keep calling it by these names.
//
//   reactor->Finish(ToGrpcStatus(result.status()));

#include "common/grpc_status.h"

namespace vouchstream::rpc {

using common::ToGrpcStatus;
using common::ToRpcStatus;

}  // namespace vouchstream::rpc

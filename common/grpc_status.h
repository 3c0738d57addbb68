#pragma once
// grpc::Status <-> absl::Status, both directions, for every transport edge
// (STYLE.md, "Errors"): the service's reactors finish with ToGrpcStatus,
// clients turn what a call returned into an absl::Status with
// FromGrpcStatus. The codes carry over by number (both follow
// google.rpc.Code), the message as it is. Details:
//   * ToGrpcStatus packs every payload of the absl::Status (e.g. a
//     `google.rpc.BadRequest`) as a `google.protobuf.Any` into a
//     `google.rpc.Status`, whose serialized bytes become the binary error
//     details (gRPC's error_details example; clients read them from the
//     `grpc-status-details-bin` trailer);
//   * FromGrpcStatus keeps those bytes as the payload `kGrpcStatusDetailsUrl`,
//     which ToGrpcStatus hands back unchanged, so a status survives the
//     round trip.
//
//   reactor->Finish(common::ToGrpcStatus(result.status()));
//   absl::Status why = common::FromGrpcStatus(stub->GetEvent(&ctx, req, &r));
//
// Thread-safe: free functions without state.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace vouchstream::common {

// The payload key under which FromGrpcStatus keeps a grpc::Status's
// `error_details()` (a serialized google.rpc.Status).
inline constexpr absl::string_view kGrpcStatusDetailsUrl =
    "type.googleapis.com/google.rpc.Status";

// The same code; a number outside google.rpc.Code's 0..16 becomes UNKNOWN.
grpc::StatusCode ToGrpcCode(absl::StatusCode code);
absl::StatusCode FromGrpcCode(grpc::StatusCode code);

// OK maps to grpc::Status::OK; see the file comment for the details.
grpc::Status ToGrpcStatus(const absl::Status& status);

// OK maps to absl::OkStatus(); non-empty details ride as the payload
// `kGrpcStatusDetailsUrl`.
absl::Status FromGrpcStatus(const grpc::Status& status);

// The `google.rpc.Status` that ToGrpcStatus packs into the details (code,
// message and one `Any` per payload).
google::rpc::Status ToRpcStatus(const absl::Status& status);

}  // namespace vouchstream::common

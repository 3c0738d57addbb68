#pragma once
// Field violations carried inside an absl::Status, the way they travel from
// the service core to the RPC edge: a kInvalidArgument status whose payload
// under `kBadRequestUrl` is a serialized `google.rpc.BadRequest`. The RPC
// layer (service/rpc/status_mapping.h) packs that payload into the
// `google.rpc.Status` details; nothing else needs to know the encoding.
//
//   absl::Status s = BadRequestError(violations);
//   ...
//   for (const v1::FieldViolation& v : FieldViolationsOf(s)) { ... }
//
// Thread-safe: free functions without shared state.

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"

#include "vouchstream/v1/api.pb.h"

namespace vouchstream::core {

// The payload key, as `google.protobuf.Any` type URLs spell it.
inline constexpr absl::string_view kBadRequestUrl =
    "type.googleapis.com/google.rpc.BadRequest";

// A kInvalidArgument status whose message is the first violation
// ("publication.customer_id: must equal customer.id"), followed by
// " (and N more)" when there are several, with every violation attached as a
// `google.rpc.BadRequest` payload. `violations` must not be empty (an empty
// list means the input is valid; this returns OK then).
absl::Status BadRequestError(const std::vector<v1::FieldViolation>& violations);

// The `google.rpc.BadRequest` attached to `status`, or nullopt when there is
// none or it does not parse.
std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status);

// The violations attached to `status` as vouchstream messages (the quarantine
// log stores these); empty when there are none.
std::vector<v1::FieldViolation> FieldViolationsOf(const absl::Status& status);

}  // namespace vouchstream::core

#pragma once
// The statuses that refuse a call for want of credentials or scope, each
// with a `google.rpc.ErrorInfo` payload (domain "vouchstream.v1") whose
// reason is machine-readable and whose metadata names what is missing:
//
//   reason                 code               metadata
//   TOKEN_MISSING          kUnauthenticated   -
//   TOKEN_UNKNOWN          kUnauthenticated   -
//   ACCESS_REVOKED         kUnauthenticated   principal
//   SCOPE_MISSING          kPermissionDenied  principal, scope
//   FILTER_READS_REDACTED  kPermissionDenied  principal, criterion, path
//
// status_mapping.h packs the payload into the gRPC status details.
// Thread-safe: free functions.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace vouchstream::auth {

inline constexpr absl::string_view kErrorInfoUrl =
    "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr absl::string_view kErrorDomain = "vouchstream.v1";

// kUnauthenticated: no credentials (`reason` TOKEN_MISSING), unknown ones
// (TOKEN_UNKNOWN) or revoked on reload (ACCESS_REVOKED, naming `principal`).
absl::Status UnauthenticatedError(absl::string_view reason,
                                  absl::string_view message,
                                  absl::string_view principal = "");

// kPermissionDenied naming the missing `scope`, e.g. "subscribe" or
// "subscribe.event_types".
absl::Status ScopeMissingError(absl::string_view principal,
                               absl::string_view scope,
                               absl::string_view detail);

// kPermissionDenied: filter `criterion` (e.g. `filter.code_pattern`) reads
// `path` of the event, which the principal's redaction (`redacted`, as the
// access file names it) hides.
absl::Status FilterRedactedError(absl::string_view principal,
                                 absl::string_view criterion,
                                 absl::string_view path,
                                 absl::string_view redacted);

}  // namespace vouchstream::auth

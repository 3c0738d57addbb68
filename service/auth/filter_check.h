#pragma once
// Filters and redaction agree: a reader may not filter on what is redacted
// for it, or the answers (an event comes back or not) would reveal the
// value one guess at a time (a `code_pattern` binary search reads a whole
// redacted code). What each criterion reads is declared in the contract,
// `(vouchstream.v1.filter_reads)` on the `EventFilter` fields
// (proto/vouchstream/v1/options.proto); the principal's Redactor says what
// is hidden. ScopeFilter (scope_check.h) calls this for every read path that
// takes a filter (ListEvents, Subscribe).
//
//   absl::Status readable = CheckFilterReadable(*principal, request.filter());
//
// Thread-safe: a free function.

#include "absl/status/status.h"

#include "vouchstream/v1/api.pb.h"

#include "service/auth/principal.h"

namespace vouchstream::auth {

// OK when every criterion `filter` sets reads nothing redacted for
// `principal`; else kPermissionDenied (FilterRedactedError, auth_errors.h)
// naming the first criterion, the path it reads and the redacted path.
absl::Status CheckFilterReadable(const Principal& principal,
                                 const v1::EventFilter& filter);

}  // namespace vouchstream::auth

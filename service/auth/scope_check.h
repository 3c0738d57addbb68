#pragma once
// What each scope allows. Which scope an RPC needs is the contract's
// `(vouchstream.v1.required_scope)` method option (method_scopes.h); the
// `subscribe` scope is further limited to its event types and campaigns,
// which ScopeFilter and InScope apply to what a call reads. Refusals are
// kPermissionDenied naming the missing scope (auth_errors.h).
//
//   absl::StatusOr<v1::EventFilter> filter =
//       ScopeFilter(*principal, request.filter());  // narrowed to the scope
//
// Thread-safe: free functions.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/auth/principal.h"

namespace vouchstream::auth {

absl::Status RequirePublish(const Principal& principal);
absl::Status RequireAdmin(const Principal& principal);
absl::Status RequireSubscribe(const Principal& principal);

// `requested` narrowed to the principal's subscribe scope: a filter without
// types (or campaigns) gets the scope's; explicit types must each fall
// within a scope pattern (a literal type that a pattern matches, or a
// pattern that a scope pattern covers: "publication.succ*" within
// "publication.*"), and explicit campaigns must be scope campaigns;
// otherwise kPermissionDenied naming "subscribe.event_types" or
// "subscribe.campaign_ids". A criterion that reads what is redacted for
// the principal is kPermissionDenied too (filter_check.h). Events that pass
// the narrowed filter are in scope.
absl::StatusOr<v1::EventFilter> ScopeFilter(const Principal& principal,
                                            const v1::EventFilter& requested);

// True when the principal's subscribe scope allows reading `event`.
bool InScope(const Principal& principal, const v1::Event& event);

// True when every type that pattern `wanted` matches is matched by pattern
// `allowed` (conservative: may say false for some patterns that are in fact
// covered).
bool PatternCovered(absl::string_view allowed, absl::string_view wanted);

}  // namespace vouchstream::auth

#pragma once
// Which scope each RPC needs, as the contract declares it: the
// `(vouchstream.v1.required_scope)` option on every method of a service
// (proto/vouchstream/v1/options.proto), read from the descriptors once, at
// start. A service with a method that declares no scope is refused, so a new
// RPC cannot be served before someone has decided who may call it.
//
//   absl::StatusOr<MethodScopes> scopes = MethodScopes::ForService(
//       *v1::PublishRequest::descriptor()->file()->FindServiceByName(
//           "EventService"));
//   absl::Status allowed = scopes->Check(*principal, "Publish");
//
// Thread-safe: immutable once built.

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

#include "vouchstream/v1/options.pb.h"

#include "service/auth/principal.h"

namespace vouchstream::auth {

class MethodScopes {
 public:
  // The scopes of every method of `service`. kFailedPrecondition naming the
  // method when one declares none (or SCOPE_UNSPECIFIED).
  static absl::StatusOr<MethodScopes> ForService(
      const google::protobuf::ServiceDescriptor& service);

  // The scope method `method` (its short name, "Publish") needs; kNotFound
  // for a method the service does not have.
  absl::StatusOr<v1::Scope> ScopeOf(absl::string_view method) const;

  // OK when `principal` holds the scope `method` needs; else
  // kPermissionDenied naming the scope (auth_errors.h), or kNotFound for an
  // unknown method.
  absl::Status Check(const Principal& principal,
                     absl::string_view method) const;

 private:
  absl::flat_hash_map<std::string, v1::Scope> scopes_;
};

// The scope's name in the access file: "publish", "subscribe", "admin".
absl::string_view ScopeName(v1::Scope scope);

// OK when `principal` holds `scope`; else kPermissionDenied naming it.
absl::Status RequireScope(const Principal& principal, v1::Scope scope);

}  // namespace vouchstream::auth

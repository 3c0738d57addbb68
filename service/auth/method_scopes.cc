#include "service/auth/method_scopes.h"

#include "absl/strings/str_cat.h"

#include "service/auth/scope_check.h"

namespace vouchstream::auth {

absl::StatusOr<MethodScopes> MethodScopes::ForService(
    const google::protobuf::ServiceDescriptor& service) {
  MethodScopes scopes;
  for (int i = 0; i < service.method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *service.method(i);
    const v1::Scope scope = method.options().GetExtension(v1::required_scope);
    if (scope == v1::SCOPE_UNSPECIFIED) {
      return absl::FailedPreconditionError(
          absl::StrCat("rpc ", method.full_name(),
                       " declares no (vouchstream.v1.required_scope): nobody "
                       "may call it until the contract says who may"));
    }
    scopes.scopes_.emplace(method.name(), scope);
  }
  return scopes;
}

absl::StatusOr<v1::Scope> MethodScopes::ScopeOf(
    absl::string_view method) const {
  auto found = scopes_.find(method);
  if (found == scopes_.end()) {
    return absl::NotFoundError(absl::StrCat("no rpc \"", method, "\""));
  }
  return found->second;
}

absl::Status MethodScopes::Check(const Principal& principal,
                                 absl::string_view method) const {
  absl::StatusOr<v1::Scope> scope = ScopeOf(method);
  if (!scope.ok()) {
    return scope.status();
  }
  return RequireScope(principal, *scope);
}

absl::string_view ScopeName(v1::Scope scope) {
  switch (scope) {
    case v1::SCOPE_PUBLISH:
      return "publish";
    case v1::SCOPE_SUBSCRIBE:
      return "subscribe";
    case v1::SCOPE_ADMIN:
      return "admin";
    default:
      return "unspecified";
  }
}

absl::Status RequireScope(const Principal& principal, v1::Scope scope) {
  switch (scope) {
    case v1::SCOPE_PUBLISH:
      return RequirePublish(principal);
    case v1::SCOPE_SUBSCRIBE:
      return RequireSubscribe(principal);
    case v1::SCOPE_ADMIN:
      return RequireAdmin(principal);
    default:
      return absl::PermissionDeniedError(
          absl::StrCat("no scope allows a method of scope ", ScopeName(scope)));
  }
}

}  // namespace vouchstream::auth

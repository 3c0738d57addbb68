#include "service/auth/auth_errors.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace vouchstream::auth {
namespace {

absl::Status WithInfo(absl::Status status, absl::string_view reason,
                      absl::string_view principal, absl::string_view scope) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string{reason});
  info.set_domain(std::string{kErrorDomain});
  if (!principal.empty()) {
    (*info.mutable_metadata())["principal"] = std::string{principal};
  }
  if (!scope.empty()) {
    (*info.mutable_metadata())["scope"] = std::string{scope};
  }
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status UnauthenticatedError(absl::string_view reason,
                                  absl::string_view message,
                                  absl::string_view principal) {
  return WithInfo(absl::UnauthenticatedError(message), reason, principal, "");
}

absl::Status ScopeMissingError(absl::string_view principal,
                               absl::string_view scope,
                               absl::string_view detail) {
  return WithInfo(
      absl::PermissionDeniedError(absl::StrCat(
          "principal \"", principal, "\" lacks scope ", scope, ": ", detail)),
      "SCOPE_MISSING", principal, scope);
}

}  // namespace vouchstream::auth

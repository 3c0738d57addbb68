#include "service/auth/auth_errors.h"

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace vouchstream::auth {
namespace {

// `metadata` entries with an empty value are left out.
absl::Status WithInfo(
    absl::Status status, absl::string_view reason,
    std::initializer_list<std::pair<absl::string_view, absl::string_view>>
        metadata) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string{reason});
  info.set_domain(std::string{kErrorDomain});
  for (const auto& [key, value] : metadata) {
    if (!value.empty()) {
      (*info.mutable_metadata())[std::string{key}] = std::string{value};
    }
  }
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status UnauthenticatedError(absl::string_view reason,
                                  absl::string_view message,
                                  absl::string_view principal) {
  return WithInfo(absl::UnauthenticatedError(message), reason,
                  {{"principal", principal}});
}

absl::Status ScopeMissingError(absl::string_view principal,
                               absl::string_view scope,
                               absl::string_view detail) {
  return WithInfo(
      absl::PermissionDeniedError(absl::StrCat(
          "principal \"", principal, "\" lacks scope ", scope, ": ", detail)),
      "SCOPE_MISSING", {{"principal", principal}, {"scope", scope}});
}

absl::Status FilterRedactedError(absl::string_view principal,
                                 absl::string_view criterion,
                                 absl::string_view path,
                                 absl::string_view redacted) {
  return WithInfo(
      absl::PermissionDeniedError(absl::StrCat(
          "principal \"", principal, "\" may not filter on ", criterion,
          ": it reads ", path, ", which is redacted for it (", redacted, ")")),
      "FILTER_READS_REDACTED",
      {{"principal", principal}, {"criterion", criterion}, {"path", path}});
}

}  // namespace vouchstream::auth

#include "service/app/admission.h"

#include <utility>

#include "absl/strings/str_cat.h"

#include "vouchstream/v1/api.pb.h"

#include "common/json_log.h"
#include "service/auth/auth_errors.h"

namespace vouchstream::app {

absl::StatusOr<Admission> Admission::Create(auth::Authorizer* authorizer) {
  const google::protobuf::ServiceDescriptor* service =
      v1::PublishRequest::descriptor()->file()->FindServiceByName(
          "EventService");
  absl::StatusOr<auth::MethodScopes> scopes =
      auth::MethodScopes::ForService(*service);
  if (!scopes.ok()) {
    return scopes.status();
  }
  const bool enabled = authorizer != nullptr && authorizer->enabled();
  return Admission(enabled ? authorizer : nullptr, *std::move(scopes));
}

absl::StatusOr<std::shared_ptr<const auth::Principal>> Admission::Admit(
    absl::string_view method, const auth::Credentials& credentials,
    absl::string_view peer) const {
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal =
      authorizer_ != nullptr ? authorizer_->Authenticate(credentials)
                             : auth::Principal::Anonymous();
  absl::Status status =
      principal.ok() ? scopes_.Check(**principal, method) : principal.status();
  if (!status.ok()) {
    LogRefusal(method, principal.ok() ? (*principal)->name : "", peer, status);
    return status;
  }
  return principal;
}

absl::Status Admission::Readmit(absl::string_view method,
                                const auth::Credentials& credentials,
                                absl::string_view principal) const {
  if (authorizer_ == nullptr) {
    return absl::OkStatus();
  }
  absl::StatusOr<std::shared_ptr<const auth::Principal>> now =
      authorizer_->Authenticate(credentials);
  if (!now.ok()) {
    return now.status();
  }
  if ((*now)->name != principal) {
    return auth::UnauthenticatedError(
        "ACCESS_REVOKED",
        absl::StrCat("access of principal \"", principal,
                     "\" revoked by an access file reload"),
        principal);
  }
  return scopes_.Check(**now, method);
}

void Admission::LogRefusal(absl::string_view method,
                           absl::string_view principal, absl::string_view peer,
                           const absl::Status& status) {
  if (peer.empty()) {
    common::LogInfo(
        "call refused",
        {{"method", method}, {"principal", principal}, {"status", status}});
    return;
  }
  common::LogInfo("call refused", {{"method", method},
                                   {"principal", principal},
                                   {"peer", peer},
                                   {"status", status}});
}

}  // namespace vouchstream::app

#pragma once
// Who may make a call: authenticates the call's credentials under the
// access file and checks the scope its RPC declares in the contract
// (`(vouchstream.v1.required_scope)`, auth/method_scopes.h). Every refusal
// is logged, naming the caller by principal or peer, never by its token.
// Without an access file every caller is `Principal::Anonymous()` and
// nothing is checked: the server's behaviour before access control existed.
//
//   absl::StatusOr<Admission> admission = Admission::Create(authorizer);
//   absl::StatusOr<std::shared_ptr<const auth::Principal>> who =
//       admission->Admit("Publish", credentials, peer);
//
// Thread-safe: immutable once built; the authorizer swaps its file
// atomically.

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "service/auth/authorizer.h"
#include "service/auth/credentials.h"
#include "service/auth/method_scopes.h"
#include "service/auth/principal.h"

namespace vouchstream::app {

class Admission {
 public:
  // The admission of `vouchstream.v1.EventService`'s calls. `authorizer`
  // (may be null) must outlive it; null or without an access file, there is
  // no access control. kFailedPrecondition when an RPC of the service
  // declares no scope.
  static absl::StatusOr<Admission> Create(auth::Authorizer* authorizer);

  // True with an access file: calls must bring credentials.
  bool access_control() const { return authorizer_ != nullptr; }

  // The authorizer under access control (streams register with it, so that
  // a reload can revoke them); null without.
  auth::Authorizer* authorizer() const { return authorizer_; }

  // The principal calling `method` (its short name, "Publish") with
  // `credentials`: kUnauthenticated when they name nobody, kPermissionDenied
  // when the principal lacks the method's scope. `peer` names the caller in
  // the log.
  absl::StatusOr<std::shared_ptr<const auth::Principal>> Admit(
      absl::string_view method, const auth::Credentials& credentials,
      absl::string_view peer) const;

  // For a long call admitted as `principal` with `credentials`: may it
  // still call `method` under the access file in force now? A reload that
  // gave the credentials to someone else or dropped them is
  // kUnauthenticated (ACCESS_REVOKED); one that took the scope away,
  // kPermissionDenied.
  absl::Status Readmit(absl::string_view method,
                       const auth::Credentials& credentials,
                       absl::string_view principal) const;

  // Logs a refusal found after admission (e.g. a filter outside the
  // principal's scope); `peer` may be empty.
  static void LogRefusal(absl::string_view method, absl::string_view principal,
                         absl::string_view peer, const absl::Status& status);

 private:
  Admission(auth::Authorizer* authorizer, auth::MethodScopes scopes)
      : authorizer_(authorizer), scopes_(std::move(scopes)) {}

  auth::Authorizer* authorizer_;
  auth::MethodScopes scopes_;
};

}  // namespace vouchstream::app

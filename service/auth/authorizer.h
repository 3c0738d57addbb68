#pragma once
// Who a call is, from its credentials, under the current access file; and
// the reload (SIGHUP) that swaps the file atomically and ends the open
// streams it revokes. Without an access file every call is
// `Principal::Anonymous()` (every scope, nothing redacted): the server's
// behaviour before access control existed.
//
//   absl::StatusOr<std::unique_ptr<Authorizer>> authorizer =
//       Authorizer::Open("/etc/vouchstream/access.json");
//   absl::StatusOr<std::shared_ptr<const Principal>> who =
//       (*authorizer)->Authenticate(credentials);
//   ...
//   absl::StatusOr<size_t> revoked = (*authorizer)->Reload();  // SIGHUP
//
// Thread-safe: calls may authenticate while another thread reloads; each
// call sees either the old or the new file, whole.

#include <cstddef>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

#include "service/auth/access_policy.h"
#include "service/auth/credentials.h"
#include "service/auth/principal.h"
#include "service/auth/stream_registry.h"

namespace vouchstream::auth {

class Authorizer {
 public:
  // No access file: every call is anonymous.
  Authorizer() = default;
  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // Reads and checks the access file at `path` (access_file.h,
  // access_policy.h); its errors name the path and the field.
  static absl::StatusOr<std::unique_ptr<Authorizer>> Open(
      const std::string& path);

  // True with an access file.
  bool enabled() const { return !path_.empty(); }

  // The principal of `credentials`, or kUnauthenticated (auth_errors.h).
  absl::StatusOr<std::shared_ptr<const Principal>> Authenticate(
      const Credentials& credentials) const;

  // The current file; nullptr without one.
  std::shared_ptr<const AccessPolicy> policy() const;

  // Reads the file again. On success the new file applies to every new
  // call, and the open streams it no longer accepts are ended; returns how
  // many. On error (unreadable, malformed) the old file stays in force.
  // kFailedPrecondition without an access file.
  absl::StatusOr<size_t> Reload();

  // Registers an open stream of `principal` (authenticated from
  // `credentials`), which a later Reload revokes through `revoke` if the
  // new file drops or changes its access. kUnauthenticated (and nothing
  // registered) when a reload since the authentication already did.
  absl::StatusOr<std::unique_ptr<StreamRegistry::Registration>> RegisterStream(
      const Credentials& credentials,
      std::shared_ptr<const Principal> principal,
      StreamRegistry::RevokeCallback revoke);

  // Open streams, for tests and metrics.
  size_t stream_count() const { return streams_.size(); }

 private:
  explicit Authorizer(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const AccessPolicy> policy_ ABSL_GUARDED_BY(mu_);
  StreamRegistry streams_;
};

}  // namespace vouchstream::auth

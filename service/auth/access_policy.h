#pragma once
// The access file, checked and compiled: who a call's credentials belong to,
// and which services need none. Built once per (re)load and then shared
// read-only; Authorizer swaps it atomically on SIGHUP.
//
//   absl::StatusOr<std::shared_ptr<const AccessPolicy>> policy =
//       AccessPolicy::Create(config);
//   absl::StatusOr<std::shared_ptr<const Principal>> who =
//       (*policy)->Authenticate(credentials);
//
// Thread-safe: immutable after Create.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "service/auth/access_file.h"
#include "service/auth/credentials.h"
#include "service/auth/mtls_identity.h"
#include "service/auth/principal.h"
#include "service/auth/token_hash.h"

namespace vouchstream::auth {

class AccessPolicy {
 public:
  // Checks `config`: principal names present and unique; every token hash
  // 64 hex digits; every mTLS identity typed (`uri:`, `dns:` or `cn:`, see
  // mtls_identity.h); a hash or identity listed once across principals;
  // redaction paths well-formed; `open_services` a list of strings.
  // kInvalidArgument naming the principal and field otherwise (never
  // quoting a hash).
  static absl::StatusOr<std::shared_ptr<const AccessPolicy>> Create(
      const AccessConfig& config);

  // The principal that `credentials` name: the token when there is one
  // (every listed hash compared in constant time), else the certificate's
  // identities, each matched only against the certificate field its
  // access-file entry names. kUnauthenticated (auth_errors.h) when nothing
  // matches or nothing was presented. A token that matches nobody is refused
  // even if the certificate would match: a wrong token is a mistake worth
  // seeing.
  absl::StatusOr<std::shared_ptr<const Principal>> Authenticate(
      const Credentials& credentials) const;

  // Services served without credentials, by full name.
  const std::vector<std::string>& open_services() const {
    return open_services_;
  }
  bool IsOpen(absl::string_view service) const;

  size_t principal_count() const { return principals_.size(); }

 private:
  AccessPolicy() = default;
  // Adds principal `index`'s token hashes and identities, refusing any
  // another principal already lists.
  absl::Status AddCredentials(const access::Principal& entry, size_t index,
                              const std::string& where);
  absl::Status SetOpenServices(const AccessConfig& config);

  std::vector<std::shared_ptr<const Principal>> principals_;
  std::vector<std::pair<TokenDigest, size_t>> tokens_;  // index in principals_
  std::vector<std::pair<MtlsIdentity, size_t>> identities_;
  std::vector<std::string> open_services_;
};

// The services open when the access file names none: health and both
// versions of reflection.
const std::vector<std::string>& DefaultOpenServices();

}  // namespace vouchstream::auth

#include "service/auth/authorizer.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#include "service/auth/access_file.h"
#include "service/auth/auth_errors.h"

namespace vouchstream::auth {
namespace {

absl::StatusOr<std::shared_ptr<const AccessPolicy>> Load(
    const std::string& path) {
  absl::StatusOr<AccessConfig> config = ReadAccessConfig(path);
  if (!config.ok()) {
    return config.status();
  }
  absl::StatusOr<std::shared_ptr<const AccessPolicy>> policy =
      AccessPolicy::Create(*config);
  if (!policy.ok()) {
    return absl::Status(policy.status().code(),
                        absl::StrCat(path, ": ", policy.status().message()));
  }
  return policy;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::Open(
    const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("access file: the path is empty");
  }
  absl::StatusOr<std::shared_ptr<const AccessPolicy>> policy = Load(path);
  if (!policy.ok()) {
    return policy.status();
  }
  std::unique_ptr<Authorizer> authorizer(new Authorizer(path));
  authorizer->policy_ = *std::move(policy);
  return authorizer;
}

absl::StatusOr<std::shared_ptr<const Principal>> Authorizer::Authenticate(
    const Credentials& credentials) const {
  std::shared_ptr<const AccessPolicy> current = policy();
  if (current == nullptr) {
    return Principal::Anonymous();
  }
  return current->Authenticate(credentials);
}

std::shared_ptr<const AccessPolicy> Authorizer::policy() const {
  absl::MutexLock lock(&mu_);
  return policy_;
}

absl::StatusOr<std::unique_ptr<StreamRegistry::Registration>>
Authorizer::RegisterStream(const Credentials& credentials,
                           std::shared_ptr<const Principal> principal,
                           StreamRegistry::RevokeCallback revoke) {
  const std::string name = principal->name;
  const std::string fingerprint = principal->fingerprint;
  // Registered first, checked second: a reload after this point revokes the
  // stream through the registry, one before it is caught here.
  std::unique_ptr<StreamRegistry::Registration> registration =
      streams_.Register(credentials, std::move(principal), std::move(revoke));
  absl::StatusOr<std::shared_ptr<const Principal>> now =
      Authenticate(credentials);
  if (!now.ok() || (*now)->name != name || (*now)->fingerprint != fingerprint) {
    return UnauthenticatedError(
        "ACCESS_REVOKED",
        absl::StrCat("access of principal \"", name,
                     "\" revoked by an access file reload"),
        name);
  }
  return registration;
}

absl::StatusOr<size_t> Authorizer::Reload() {
  if (!enabled()) {
    return absl::FailedPreconditionError("no access file to reload");
  }
  absl::StatusOr<std::shared_ptr<const AccessPolicy>> policy = Load(path_);
  if (!policy.ok()) {
    return policy.status();
  }
  {
    absl::MutexLock lock(&mu_);
    policy_ = *policy;
  }
  // New calls already see the new file; a stream registering meanwhile was
  // authenticated by it and passes this check.
  return streams_.Revalidate(**policy);
}

}  // namespace vouchstream::auth

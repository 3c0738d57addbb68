#include "service/auth/stream_registry.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

#include "service/auth/auth_errors.h"

namespace vouchstream::auth {

class StreamRegistry::Entry {
 public:
  Entry(Credentials credentials, std::shared_ptr<const Principal> principal,
        RevokeCallback revoke)
      : credentials_(std::move(credentials)),
        principal_(std::move(principal)),
        revoke_(std::move(revoke)) {}

  const Credentials& credentials() const { return credentials_; }
  const Principal& principal() const { return *principal_; }

  // Runs `revoke_` once, unless detached; true if it ran.
  bool Revoke(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (revoke_ == nullptr) {
      return false;
    }
    RevokeCallback revoke = std::move(revoke_);
    revoke_ = nullptr;
    revoke(std::move(status));
    return true;
  }
  // Waits for a running `revoke_`: `mu_` is held while it runs.
  void Detach() {
    absl::MutexLock lock(&mu_);
    revoke_ = nullptr;
  }

 private:
  const Credentials credentials_;
  const std::shared_ptr<const Principal> principal_;
  absl::Mutex mu_;
  RevokeCallback revoke_ ABSL_GUARDED_BY(mu_);
};

StreamRegistry::Registration::~Registration() {
  {
    absl::MutexLock lock(&registry_->mu_);
    auto& entries = registry_->entries_;
    entries.erase(std::remove(entries.begin(), entries.end(), entry_),
                  entries.end());
  }
  entry_->Detach();
}

std::unique_ptr<StreamRegistry::Registration> StreamRegistry::Register(
    Credentials credentials, std::shared_ptr<const Principal> principal,
    RevokeCallback revoke) {
  auto entry = std::make_shared<Entry>(std::move(credentials),
                                       std::move(principal), std::move(revoke));
  {
    absl::MutexLock lock(&mu_);
    entries_.push_back(entry);
  }
  return std::make_unique<Registration>(this, std::move(entry));
}

size_t StreamRegistry::Revalidate(const AccessPolicy& policy) {
  std::vector<std::pair<std::shared_ptr<Entry>, absl::Status>> revoked;
  {
    absl::MutexLock lock(&mu_);
    for (const std::shared_ptr<Entry>& entry : entries_) {
      const std::string& name = entry->principal().name;
      absl::StatusOr<std::shared_ptr<const Principal>> now =
          policy.Authenticate(entry->credentials());
      if (!now.ok() || (*now)->name != name) {
        revoked.emplace_back(
            entry, UnauthenticatedError(
                       "ACCESS_REVOKED",
                       absl::StrCat("access of principal \"", name,
                                    "\" revoked by an access file reload"),
                       name));
      } else if ((*now)->fingerprint != entry->principal().fingerprint) {
        revoked.emplace_back(
            entry, UnauthenticatedError(
                       "ACCESS_CHANGED",
                       absl::StrCat("access of principal \"", name,
                                    "\" changed by an access file reload; "
                                    "subscribe again"),
                       name));
      }
    }
  }
  // Outside `mu_`: a revoke may finish a call whose Registration is being
  // destroyed on another thread, which takes `mu_`.
  size_t count = 0;
  for (auto& [entry, status] : revoked) {
    count += entry->Revoke(std::move(status)) ? 1 : 0;
  }
  return count;
}

size_t StreamRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace vouchstream::auth

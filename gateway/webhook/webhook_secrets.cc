#include "gateway/webhook/webhook_secrets.h"

#include <utility>

namespace vouchstream::gateway {

absl::StatusOr<std::unique_ptr<WebhookSecrets>> WebhookSecrets::Load(
    const std::string& path) {
  absl::StatusOr<std::unique_ptr<transcode::SignatureVerifier>> verifier =
      transcode::SignatureVerifier::FromFile(path);
  if (!verifier.ok()) {
    return verifier.status();
  }
  return std::unique_ptr<WebhookSecrets>(
      new WebhookSecrets(path, *std::move(verifier)));
}

std::shared_ptr<const transcode::SignatureVerifier> WebhookSecrets::Current()
    const {
  absl::ReaderMutexLock lock(&mu_);
  return current_;
}

absl::StatusOr<size_t> WebhookSecrets::Reload() {
  absl::StatusOr<std::unique_ptr<transcode::SignatureVerifier>> verifier =
      transcode::SignatureVerifier::FromFile(path_);
  if (!verifier.ok()) {
    return verifier.status();
  }
  const size_t count = (*verifier)->secret_count();
  std::shared_ptr<const transcode::SignatureVerifier> fresh =
      *std::move(verifier);
  absl::MutexLock lock(&mu_);
  current_.swap(fresh);
  // The old verifier is released after the lock, by `fresh`, or later by
  // the last request still holding it.
  return count;
}

}  // namespace vouchstream::gateway

#pragma once
// The gateway's webhook secrets (`--secret-file`, one per line), reloadable
// while it runs (SIGHUP). Rotation: list the old and the new secret, reload,
// switch Voucherify to the new one, remove the old line, reload again; both
// are accepted in between. A reload that fails (unreadable or empty file)
// keeps the secrets in use.
//
//   auto secrets = WebhookSecrets::Load("/etc/vouchstream/webhook-secrets");
//   if (!secrets.ok()) { ... }
//   std::shared_ptr<const transcode::SignatureVerifier> verifier =
//       (*secrets)->Current();          // per request
//   absl::Status s = (*secrets)->Reload();  // on SIGHUP
//
// Thread-safe: `Current` and `Reload` may be called from any thread; a
// request holds the verifier it got for as long as it needs it.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "transcode/signature.h"

namespace vouchstream::gateway {

class WebhookSecrets {
 public:
  // Errors as `SignatureVerifier::FromFile`: kNotFound (unreadable),
  // kInvalidArgument (no secret in the file).
  static absl::StatusOr<std::unique_ptr<WebhookSecrets>> Load(
      const std::string& path);

  // The verifier of the secrets in force.
  std::shared_ptr<const transcode::SignatureVerifier> Current() const;

  // Reads the file again; on error the secrets in force stay. Returns the
  // number of secrets now in force.
  absl::StatusOr<size_t> Reload();

  const std::string& path() const { return path_; }

 private:
  WebhookSecrets(std::string path,
                 std::shared_ptr<const transcode::SignatureVerifier> verifier)
      : path_(std::move(path)), current_(std::move(verifier)) {}

  const std::string path_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const transcode::SignatureVerifier> current_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::gateway

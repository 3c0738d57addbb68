#pragma once
// The open streams (Subscribe calls) and the credentials each was opened
// with, so that a reload of the access file can end those whose access it
// revoked or changed. A stream registers once it is running and holds its
// Registration until it is done; `Revalidate` calls the stream's `revoke`
// callback at most once, with kUnauthenticated.
//
//   std::unique_ptr<StreamRegistry::Registration> registration =
//       registry.Register(credentials, principal, [this](absl::Status s) {
//         Revoke(std::move(s));
//       });
//   ...
//   registration.reset();  // in OnDone: `revoke` is not running and will
//                          // never run again
//
// Thread-safe.

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

#include "service/auth/access_policy.h"
#include "service/auth/credentials.h"
#include "service/auth/principal.h"

namespace vouchstream::auth {

class StreamRegistry {
 public:
  // Must not block; runs on the thread that reloads (not a gRPC thread).
  using RevokeCallback = absl::AnyInvocable<void(absl::Status)>;

  class Entry;
  // Unregisters on destruction, waiting for a `revoke` that is running.
  class Registration {
   public:
    Registration(StreamRegistry* registry, std::shared_ptr<Entry> entry)
        : registry_(registry), entry_(std::move(entry)) {}
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration();

   private:
    StreamRegistry* const registry_;
    const std::shared_ptr<Entry> entry_;
  };

  StreamRegistry() = default;
  StreamRegistry(const StreamRegistry&) = delete;
  StreamRegistry& operator=(const StreamRegistry&) = delete;

  // The registry must outlive the returned Registration.
  std::unique_ptr<Registration> Register(
      Credentials credentials, std::shared_ptr<const Principal> principal,
      RevokeCallback revoke);

  // Revokes every stream whose credentials `policy` no longer accepts, or
  // now maps to another principal or to a changed one. Returns how many
  // were told (each stream is told once).
  size_t Revalidate(const AccessPolicy& policy);

  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::auth

#pragma once
// The open `PublishStream` calls, so that a stopping server can tell each to
// go instead of waiting out its drain timeout: a gateway keeps its streams
// open for as long as the server lets it. `Drain` asks every stream to stop
// reading, write the acks of what it has already taken in, and finish with
// UNAVAILABLE (the caller reconnects elsewhere, or to the restarted server,
// and re-sends what was not acknowledged: publishes are idempotent). A
// stream that registers after `Drain` is told at once.
//
// Thread-safe.

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace vouchstream::rpc {

class PublishStreams {
 public:
  // One stream, as the registry sees it.
  class Stream {
   public:
    virtual ~Stream() = default;
    // Marks the stream draining and decides what it must start to get there
    // (its last acks, its Finish). Called under the registry's lock, so the
    // stream is alive; it must not call back into the registry. The returned
    // function (empty: nothing to start) runs after the lock is released,
    // while what it starts keeps the stream alive.
    virtual absl::AnyInvocable<void() &&> BeginDrain() = 0;
  };

  // Adds `stream`; returns false when the registry is already draining (the
  // stream should then drain at once and need not unregister).
  bool Register(Stream* stream);
  // Removes `stream`; call before it is destroyed.
  void Unregister(Stream* stream);

  // Drains every registered stream and every later one. Does not wait.
  void Drain();

 private:
  absl::Mutex mu_;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<Stream*> streams_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::rpc

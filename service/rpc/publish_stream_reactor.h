#pragma once
// The reactor of one `EventService.PublishStream` call: each request goes
// through the Publisher as soon as it is read, and its ack is queued and
// written when it is durable (possibly out of order; the caller matches
// `request_id`). One write in flight; reading pauses while
// `max_in_flight` events await their ack, so a fast caller cannot make the
// server buffer without bound. A failed event fails only its own ack.
//
// The call finishes OK once the client has half-closed and every ack is
// written; after a cancel, once every pending publish has called back (so no
// callback outlives the reactor). With access control, `admit` runs before
// each event: a caller whose access a reload revoked gets an error ack
// (UNAUTHENTICATED or PERMISSION_DENIED) for every further event, and the
// stream stays open for the acks already due. When the server stops
// (PublishStreams::Drain), the stream reads no more, writes the acks of what
// it took in, and finishes with UNAVAILABLE at once, a read still pending:
// an event read after the drain began is dropped unacknowledged, for the
// caller to re-send. Created by EventService::PublishStream, deletes itself
// in OnDone. Thread-safe: store callbacks and gRPC reactions may run
// concurrently.

#include <cstddef>
#include <deque>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"

#include "vouchstream/v1/api.pb.h"

#include "service/app/publisher.h"
#include "service/rpc/publish_streams.h"

namespace vouchstream::rpc {

class PublishStreamReactor final
    : public grpc::ServerBidiReactor<v1::PublishStreamRequest,
                                     v1::PublishStreamResponse>,
      public PublishStreams::Stream {
 public:
  // Checked before each event is published; empty: every event is.
  using Admit = std::function<absl::Status()>;

  // `streams` (may be null) must outlive the reactor.
  PublishStreamReactor(app::Publisher* publisher, size_t max_in_flight,
                       Admit admit = nullptr,
                       PublishStreams* streams = nullptr);

  // PublishStreams::Stream:
  absl::AnyInvocable<void() &&> BeginDrain() override;

  // grpc::ServerBidiReactor:
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  void OnPublished(uint64_t request_id,
                   absl::StatusOr<core::EventLog::AppendResult> result);
  // What to start next; decided and marked (writing_, reading_, finished_)
  // under `mu_` in the same critical section as the state change that made
  // it due, then started outside the lock.
  struct Next {
    bool write = false;
    bool read = false;
    bool finish = false;
    absl::Status status;
  };
  Next DecideLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts what `next` says. Touches nothing else: once it returns, a store
  // callback may be the last to have referred to `this` (OnDone deletes it).
  void Start(const Next& next);
  // Decides and starts the next write and read, or Finish.
  void Step();

  app::Publisher* const publisher_;
  const size_t max_in_flight_;
  const Admit admit_;
  PublishStreams* const streams_;

  absl::Mutex mu_;
  v1::PublishStreamRequest request_ ABSL_GUARDED_BY(mu_);
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // The server is stopping: no more reads; finish once the acks are out.
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  // Publishes awaiting their store callback.
  size_t pending_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<v1::PublishStreamResponse> acks_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  v1::PublishStreamResponse response_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::rpc

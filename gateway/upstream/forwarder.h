#pragma once
// Publishes events to the service over a few long-lived `PublishStream`
// calls (DESIGN.md: ~10 µs of client CPU per message on an open stream,
// against ~200 µs for a unary call), matching acks to requests by
// `request_id`.
//
//   auto forwarder = std::make_unique<Forwarder>(channel,
//   Forwarder::Options()); uint64_t id = forwarder->Send(std::move(event),
//   [](Forwarder::Outcome o) {
//     // On a gRPC thread: copy what you need and hand it to your own
//     // executor; never block here.
//   });
//   ...
//   forwarder->Abandon(id);  // The caller gave up (its own deadline).
//   forwarder->Shutdown();   // Before destruction.
//
// A request is kept until the service acks it or its caller abandons it.
// When its stream ends (the service drains its streams on SIGTERM, or dies)
// every request the stream did not ack is sent again, in request order, on
// a fresh stream; streams wait for the channel to (re)connect, so a request
// sent while the service restarts is delivered once it is back. The caller's
// own deadline (a timer, then `Abandon`) is the only limit: there is no
// fail-fast while the service is away. Sending twice is safe: publishes are
// idempotent on the event's identity, so a request the old stream had
// stored is answered `duplicate` with its original seq.
//
// A stream that ends UNAVAILABLE, CANCELLED (not by `Shutdown`), ABORTED or
// OK is a lost stream and its requests are re-sent; any other status (e.g.
// UNAUTHENTICATED) fails its pending requests with that status, since
// sending them again would meet the same answer. A stream that ends before
// answering anything is replaced no sooner than `reconnect_backoff` after,
// so a service that refuses streams at once is not called in a loop.
//
// There is no per-message deadline on a stream; callers enforce their own
// with a timer and call `Abandon`, which also keeps an abandoned request
// from being (re)sent when it has not been written yet. Trace context and
// request id travel in the event's `Ingress`, since a stream has no
// per-message metadata.
//
// Thread-safe. Never blocks except in `Shutdown`, which waits for the
// streams and reconnect timers to finish.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include "vouchstream/v1/api.grpc.pb.h"

namespace vouchstream::gateway {

class Forwarder {
 public:
  struct Options {
    // Streams kept open; requests go round-robin over them.
    int streams = 2;
    // The least time between the end of a stream that answered nothing and
    // its replacement. A stream that acked something is replaced at once.
    absl::Duration reconnect_backoff = absl::Milliseconds(200);
  };

  // What became of one request: `status` is not OK when the stream failed
  // for good (see above) or the forwarder shut down; otherwise `ack` is the
  // service's answer, with either `ok` or `error` set.
  struct Outcome {
    grpc::Status status;
    v1::PublishStreamResponse ack;
  };
  using Done = std::function<void(Outcome)>;

  Forwarder(std::shared_ptr<grpc::Channel> channel, const Options& options);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Queues `event` on a stream; `done` runs exactly once, on a gRPC thread
  // or (after `Shutdown`) inside `Send`, unless `Abandon` removed it first.
  // Returns the request id.
  uint64_t Send(v1::Event event, Done done);

  // Forgets request `request_id`; its `done` will not run unless it was
  // already running, and it is not sent (again) unless it is being written.
  // Callers must still ignore a late `done`.
  void Abandon(uint64_t request_id);

  // Cancels the streams and waits until they are finished; pending requests
  // fail with CANCELLED. Later `Send`s fail with UNAVAILABLE.
  void Shutdown();

 private:
  class Call;
  using Request = std::shared_ptr<const v1::PublishStreamRequest>;
  struct Pending {
    Done done;
    // Owned here until the ack: a lost stream's requests are sent again.
    Request request;
    // The stream it was last handed to; null while it waits for one.
    const Call* call = nullptr;
  };
  struct Slot {
    // Null while no stream is open. The call also holds itself until its
    // OnDone, so it outlives every reaction.
    std::shared_ptr<Call> call;
    absl::Time retry_after = absl::InfinitePast();
    // Requests of this slot waiting for a stream, oldest first; ids that
    // were abandoned or acked meanwhile are skipped.
    std::vector<uint64_t> waiting;
    // Fires at `retry_after` when requests wait and the slot is backing
    // off; only replaced while not scheduled.
    std::unique_ptr<grpc::Alarm> alarm;
    bool reopen_scheduled = false;
  };
  // What to do, outside the lock, to move a slot's waiting requests on.
  struct Dispatch {
    size_t slot = 0;
    std::shared_ptr<Call> call;     // null: no stream to hand them to yet
    bool start = false;             // `call` is new: they are in its queue
    std::vector<Request> requests;  // for an open `call`: enqueue these
    grpc::Alarm* alarm = nullptr;   // set it to fire at `alarm_at`
    absl::Time alarm_at;
  };

  // Picks the slot for a new request.
  size_t ChooseSlotLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Hands slot `index`'s waiting requests to its stream, opening one or
  // scheduling its reopening as needed.
  Dispatch DispatchLocked(size_t index, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(Dispatch dispatch);
  void OnReopenAlarm(size_t index);
  // Called by a Call once it finished (`answered`: it delivered an ack);
  // re-sends or fails its pending requests.
  void OnCallDone(Call* call, const grpc::Status& status, bool answered);
  // Hands out the ack of `request_id` to its waiter.
  void OnAck(v1::PublishStreamResponse ack);
  // No stream and no reopen timer is left (Shutdown's wait).
  bool IdleLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const Options options_;
  std::unique_ptr<v1::EventService::Stub> stub_;
  std::atomic<uint64_t> next_request_id_{1};
  std::atomic<uint64_t> next_slot_{0};

  absl::Mutex mu_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);
  // Ordered by id, so that a lost stream's requests go out again in order.
  absl::btree_map<uint64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  int live_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int live_alarms_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace vouchstream::gateway

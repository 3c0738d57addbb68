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
// Streams are opened lazily and reopened after a failure, no sooner than
// `reconnect_backoff` after it; meanwhile `Send` fails fast with
// UNAVAILABLE, so a caller can answer "retry later" at once. When a stream
// breaks, every request on it fails with the stream's status: the service
// may or may not have stored such an event, which is safe because publishes
// are idempotent on the event id and a failed request is never answered 2xx.
//
// There is no per-message deadline on a stream; callers enforce their own
// with a timer and call `Abandon`. Trace context and request id travel in
// the event's `Ingress`, since a stream has no per-message metadata.
//
// Thread-safe. Never blocks except in `Shutdown`, which waits for the
// streams to finish.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include <grpcpp/grpcpp.h>

#include "vouchstream/v1/api.grpc.pb.h"

namespace vouchstream::gateway {

class Forwarder {
 public:
  struct Options {
    // Streams kept open; requests go round-robin over them.
    int streams = 2;
    // The least time between a stream's failure and its replacement.
    absl::Duration reconnect_backoff = absl::Milliseconds(200);
  };

  // What became of one request: `status` is not OK when the stream failed
  // (or the request could not be sent); otherwise `ack` is the service's
  // answer, with either `ok` or `error` set.
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
  // or (when failing fast) inside `Send`, unless `Abandon` removed it first.
  // Returns the request id.
  uint64_t Send(v1::Event event, Done done);

  // Forgets request `request_id`; its `done` will not run unless it was
  // already running. Callers must still ignore a late `done`.
  void Abandon(uint64_t request_id);

  // Cancels the streams and waits until they are finished; pending requests
  // fail with CANCELLED. Later `Send`s fail with UNAVAILABLE.
  void Shutdown();

 private:
  class Call;
  struct Pending {
    Done done;
    const Call* call;
  };
  struct Slot {
    // Null while no stream is open. The call also holds itself until its
    // OnDone, so it outlives every reaction.
    std::shared_ptr<Call> call;
    absl::Time retry_after = absl::InfinitePast();
  };

  // Called by a Call once it finished; fails its pending requests.
  void OnCallDone(Call* call, const grpc::Status& status);
  // Hands out the ack of `request_id` to its waiter.
  void OnAck(v1::PublishStreamResponse ack);

  const Options options_;
  std::unique_ptr<v1::EventService::Stub> stub_;
  std::atomic<uint64_t> next_request_id_{1};
  std::atomic<uint64_t> next_slot_{0};

  absl::Mutex mu_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  int live_calls_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace vouchstream::gateway

#pragma once
// A Subscribe stream that resumes by itself. `Subscriber` runs
// `EventService.Subscribe` on a thread it owns and hands each matching
// event, in log order, to a handler. After UNAVAILABLE (server restart,
// network blip), a CANCELLED it did not ask for (a C++ server stopping with
// a deadline cancels open streams) or a stream the server ended, it waits
// per `Backoff` and subscribes again after the last seq it delivered (or the
// `caught_up` seq, if later): no gap, no duplicate. Any other error (a bad
// filter, OUT_OF_RANGE) ends the subscription with that status.
//
//   FileCursor cursor("last_seq");
//   Subscriber::Options options;
//   options.filter.add_types("publication.*");
//   absl::StatusOr<std::optional<uint64_t>> saved = cursor.Load();
//   if (saved.ok() && saved->has_value()) {
//     options.start = Subscriber::StartAt::AfterSeq(**saved);
//   }
//   Subscriber subscriber(channel, options, [&](const v1::Event& event) {
//     std::printf("%llu\n", static_cast<unsigned long long>(event.seq()));
//     return cursor.Save(event.seq());  // a non-OK status ends it
//   });
//   subscriber.Start();
//   ...
//   absl::Status status = subscriber.Shutdown();  // OK when stopped by us
//
// Thread-safe: every method may be called from any thread, and `Stop()` also
// from the handler. The handler runs on the subscriber's thread, one event
// at a time; while it runs no other event is read.

#include <cstdint>
#include <memory>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

#include "vouchstream/v1/api.grpc.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "clients/cpp/lib/backoff.h"
#include "common/grpc_status.h"

namespace vouchstream::client {

// The payload key under which a server error's `grpc::Status::
// error_details()` (a serialized google.rpc.Status, e.g. with a
// google.rpc.BadRequest) rides on the status `Shutdown()` returns.
inline constexpr absl::string_view kGrpcStatusDetailsUrl =
    common::kGrpcStatusDetailsUrl;

class Subscriber {
 public:
  // Where the first stream starts; reconnects always resume after the last
  // delivered seq.
  struct StartAt {
    static StartAt Earliest() { return {v1::BOUNDARY_EARLIEST, std::nullopt}; }
    static StartAt Latest() { return {v1::BOUNDARY_LATEST, std::nullopt}; }
    // The first event after `seq` (a resume from a saved cursor).
    static StartAt AfterSeq(uint64_t seq) {
      return {v1::BOUNDARY_EARLIEST, seq};
    }
    // `after_seq` if set, else the named boundary.
    v1::Boundary from;
    std::optional<uint64_t> after_seq;
  };

  // | field               | default    | meaning                          |
  // |---------------------|------------|----------------------------------|
  // | `filter`            | everything | server-side filter (api.proto)   |
  // | `start`             | earliest   | where the first stream starts    |
  // | `heartbeat_seconds` | 0          | 0: the server's default (15 s)   |
  // | `backoff`           | 100ms..10s | delays between reconnects        |
  struct Options {
    v1::EventFilter filter;
    StartAt start = StartAt::Earliest();
    uint32_t heartbeat_seconds = 0;
    Backoff::Options backoff;
  };

  // Called once per event, in order. A non-OK status ends the subscription
  // with that status (the event's seq is not counted as delivered).
  using EventHandler = absl::AnyInvocable<absl::Status(const v1::Event&)>;

  Subscriber(const std::shared_ptr<grpc::ChannelInterface>& channel,
             Options options, EventHandler handler);
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;
  // Calls `Shutdown()`.
  ~Subscriber();

  // Starts the thread. Call once.
  void Start();

  // Asks the subscription to end after the event in hand (if any) and
  // returns at once. Safe from the handler.
  void Stop();

  // Waits until the subscription has ended, at most `timeout`; true if it
  // has. It ends after `Stop()` or on an error that retrying cannot fix.
  bool WaitForDone(absl::Duration timeout);

  // Stops, joins the thread and returns why it ended: OK after `Stop()`,
  // else the handler's status or the server's error (gRPC codes map to the
  // absl codes of the same number; details under `kGrpcStatusDetailsUrl`).
  // Must not be called from the handler.
  absl::Status Shutdown();

  // The seq of the last event the handler accepted (the start's `after_seq`
  // before any); nullopt before the first event without one.
  std::optional<uint64_t> last_seq() const;
  // Whether a `caught_up` marker arrived: history is delivered, the rest is
  // live.
  bool caught_up() const;
  // Waits until `caught_up()` or the subscription has ended, at most
  // `timeout`; returns `caught_up()`.
  bool WaitForCaughtUp(absl::Duration timeout);
  // How many times a new stream was opened after the first.
  int reconnects() const;

 private:
  void Run();
  v1::SubscribeRequest NextRequest() const;
  // Waits `delay` unless `Stop()` comes first; false if it did.
  bool SleepUnlessStopped(absl::Duration delay);

  std::unique_ptr<v1::EventService::Stub> stub_;
  const Options options_;
  EventHandler handler_;  // only the thread touches it
  Backoff backoff_;       // only the thread touches it
  std::thread thread_;    // started by Start(), joined by Shutdown()

  mutable absl::Mutex mu_;
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status final_status_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::optional<uint64_t> last_seq_ ABSL_GUARDED_BY(mu_);
  // Where a reconnect resumes: `last_seq_`, or the `caught_up` seq when
  // later (every match up to it was delivered).
  std::optional<uint64_t> resume_after_ ABSL_GUARDED_BY(mu_);
  bool caught_up_ ABSL_GUARDED_BY(mu_) = false;
  int reconnects_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vouchstream::client

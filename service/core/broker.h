#pragma once
// Fans committed events out to subscriptions. A subscription is a cursor into
// the EventLog: it first catches up by reading the log in pages on a
// broker-owned reader thread, then switches to live delivery from memory,
// marked by one `kCaughtUp` delivery. Each subscription has a bounded buffer;
// when live events would overflow it, the subscription falls back to reading
// the log at its own pace from its last buffered seq and rejoins live once it
// has caught up again. A slow reader is never dropped and never makes the
// broker buffer without bound; deliveries are in seq order with no gap and no
// duplicate. The newest committed events (`Options::window_bytes`) stay in a
// shared window, so that catch-up reads near the end of the log share those
// events instead of each reading its own copy from the log: a thousand
// subscribers a little behind cost one copy of each event, not a thousand.
//
//   Broker broker(log.get(), Broker::Options());  // before the first Append
//   broker.Start();
//   Broker::SubscribeOptions options;
//   options.start = StartPosition::After(41);  // resume: 42, 43, ...
//   std::shared_ptr<Subscription> sub =
//       broker.Subscribe(options, [&] { /* drain sub->Next() */ });
//   ...
//   broker.Shutdown();  // ends every subscription with kUnavailable
//
// Threads: the broker owns a dispatcher thread (fan-out of committed batches
// and heartbeats) and `Options::reader_threads` reader threads (catch-up
// reads); `Start()` starts them and `Shutdown()` joins them. The store's
// writer thread only queues a copy of each committed batch.
//
// Thread-safe: every method of Broker and Subscription may be called from any
// thread. The Broker must outlive its Subscriptions' `Cancel()` calls.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "vouchstream/v1/event.pb.h"

#include "service/core/event_filter.h"
#include "service/core/event_log.h"

namespace vouchstream::core {

class Broker;

// Where a subscription starts.
struct StartPosition {
  enum class Kind { kEarliest, kLatest, kAfterSeq, kAtTime };
  Kind kind = Kind::kEarliest;
  uint64_t seq = 0;  // kAfterSeq: deliver from seq + 1.
  absl::Time time;   // kAtTime: the first event received at or after it.

  static StartPosition Earliest() { return {}; }
  static StartPosition Latest() { return {Kind::kLatest, 0, absl::Time()}; }
  static StartPosition After(uint64_t seq) {
    return {Kind::kAfterSeq, seq, absl::Time()};
  }
  static StartPosition At(absl::Time time) { return {Kind::kAtTime, 0, time}; }
};

// One item of a subscription's stream.
struct Delivery {
  enum class Kind { kEvent, kCaughtUp, kHeartbeat };
  Kind kind = Kind::kEvent;
  // kEvent: the event, shared with other subscriptions (never modify it).
  std::shared_ptr<const v1::Event> event;
  // kCaughtUp: the log's last seq at the switch to live. kHeartbeat: the
  // log's last seq now.
  uint64_t last_seq = 0;
  // kHeartbeat: when it was sent.
  absl::Time server_time;
};

// A reader's place in the log. Created by Broker::Subscribe.
class Subscription : public std::enable_shared_from_this<Subscription> {
 public:
  // Called when `Next()` may have something new. Runs on a broker thread or
  // on the thread that ended the subscription; must not block.
  using ReadyCallback = absl::AnyInvocable<void()>;

  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // The next delivery; nullopt when none is ready (then `ready` is called
  // once there is one); or the status that ended the subscription:
  // kOutOfRange (start behind retention; the message names the oldest seq),
  // kUnavailable (broker shutting down or the log failed: resume later),
  // kCancelled (after `Cancel()`). Never blocks.
  absl::StatusOr<std::optional<Delivery>> Next();

  // Ends the subscription and detaches it from the broker. When it returns,
  // `ready` is not running and will never be called again, so its captures
  // may be destroyed. Idempotent. Must not be called from inside `ready`.
  void Cancel();

 private:
  friend class Broker;
  enum class Mode { kStarting, kCatchUp, kLive, kEnded };

  Subscription(Broker* broker, StartPosition start, EventFilter filter,
               absl::Duration heartbeat, ReadyCallback ready);

  // Pushes `delivery` (taking its bytes into account); the caller holds mu_.
  void PushLocked(Delivery delivery, size_t bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool FullLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // True (and clears the flag) when the consumer waits for a notification.
  bool TakeWaiterLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends with `status` unless already ended; returns whether to notify.
  bool EndLocked(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Notify();

  Broker* const broker_;
  const StartPosition start_;
  const EventFilter filter_;
  const absl::Duration heartbeat_;

  absl::Mutex mu_;
  Mode mode_ ABSL_GUARDED_BY(mu_) = Mode::kStarting;
  // The last seq buffered or skipped by the filter; deliveries continue
  // after it.
  uint64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  struct Item {
    Delivery delivery;
    size_t bytes;
  };
  std::deque<Item> buffer_ ABSL_GUARDED_BY(mu_);
  size_t buffer_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool caught_up_sent_ ABSL_GUARDED_BY(mu_) = false;
  // Queued for, or being served by, a reader thread.
  bool reading_ ABSL_GUARDED_BY(mu_) = true;
  // The consumer found the buffer empty and waits for `ready`.
  bool waiting_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status end_ ABSL_GUARDED_BY(mu_);
  absl::Time last_push_ ABSL_GUARDED_BY(mu_);

  // Held while `ready_` runs, so that Cancel() can wait it out.
  absl::Mutex ready_mu_;
  ReadyCallback ready_ ABSL_GUARDED_BY(ready_mu_);
};

class Broker {
 public:
  // Defaults:
  //   buffer_events     256 deliveries per subscription
  //   buffer_bytes      1 MiB of events per subscription
  //   page_size         128 events per catch-up read
  //   reader_threads    2
  //   tick              250 ms between heartbeat checks
  //   window_bytes      8 MiB of the newest events shared by catch-up reads
  struct Options {
    size_t buffer_events = 256;
    size_t buffer_bytes = size_t{1} << 20;
    size_t page_size = 128;
    int reader_threads = 2;
    absl::Duration tick = absl::Milliseconds(250);
    size_t window_bytes = size_t{8} << 20;
  };

  struct SubscribeOptions {
    StartPosition start;
    EventFilter filter;
    // An idle stream gets a heartbeat after this long without a delivery.
    absl::Duration heartbeat = absl::Seconds(15);
  };

  // Registers as `log`'s commit listener: construct before the first
  // Append. `log` must outlive the Broker.
  Broker(EventLog* log, const Options& options);
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;
  // Calls Shutdown().
  ~Broker();

  // Starts the broker's threads.
  void Start();

  // Opens a subscription. Errors (start behind retention, shutdown) arrive
  // through `Subscription::Next()`.
  std::shared_ptr<Subscription> Subscribe(SubscribeOptions options,
                                          Subscription::ReadyCallback ready);

  // Ends every subscription with kUnavailable (clients resume after the last
  // seq they received), refuses new ones, and joins the broker's threads.
  // Idempotent.
  void Shutdown();

  // Open subscriptions, for tests and metrics.
  size_t subscription_count() const;
  // Bytes of events in the shared window now (at most
  // `Options::window_bytes`), for metrics.
  size_t window_bytes() const;

 private:
  friend class Subscription;
  struct Batch {
    std::vector<std::shared_ptr<const v1::Event>> events;
    std::vector<size_t> bytes;
  };
  // One event of the shared window, with its size.
  struct Shared {
    std::shared_ptr<const v1::Event> event;
    size_t bytes;
  };
  using LiveSet = std::vector<std::shared_ptr<Subscription>>;

  void OnCommit(const std::vector<v1::Event>& committed);
  void DispatchLoop();
  void Dispatch(Batch& batch, const LiveSet& live);
  // Pushes the events of `batch` past the cursor of the live `sub` that its
  // filter matches, advancing the cursor. Returns true if the buffer filled
  // up first: `sub` is then back in catch-up mode and must leave the live set.
  static bool DeliverLocked(const Batch& batch, Subscription* sub)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sub->mu_);
  void SendHeartbeats();
  void ReaderLoop();
  void ReadStep(const std::shared_ptr<Subscription>& sub);
  // A page of catch-up: events after a cursor and how far they reach.
  struct Page {
    std::vector<Shared> events;
    // Every seq up to here was considered (events of other types may have
    // been skipped by the log).
    uint64_t scanned_through = 0;
    // Whether the page was full, so that more may follow right away.
    bool full = false;
  };
  // Up to `page_size` events after `cursor`: from the shared window when it
  // holds seq `cursor` + 1, else read from the log, which may skip events
  // whose type matches none of `types` (empty: any type).
  absl::StatusOr<Page> ReadPage(uint64_t cursor,
                                const std::vector<std::string>& types);
  // Appends `batch` to the window and evicts its oldest events beyond
  // `window_bytes`.
  void AddToWindowLocked(const Batch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<uint64_t> ResolveStart(const StartPosition& start);
  void TryGoLive(const std::shared_ptr<Subscription>& sub);
  // Takes `sub` off the live set and queues it for a reader.
  void ScheduleRead(std::shared_ptr<Subscription> sub);
  void Remove(const Subscription* sub);
  // Ends `sub` with `status` and detaches it.
  void End(const std::shared_ptr<Subscription>& sub, absl::Status status);
  void SetLiveLocked(LiveSet live) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EventLog* const log_;
  const Options options_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  // The last seq the dispatcher has fanned out (or the log's at Start).
  uint64_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::shared_ptr<Subscription>> all_ ABSL_GUARDED_BY(mu_);
  // Copy-on-write, so the dispatcher fans out without holding mu_.
  std::shared_ptr<const LiveSet> live_ ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<Subscription>> read_queue_ ABSL_GUARDED_BY(mu_);
  std::deque<Batch> batches_ ABSL_GUARDED_BY(mu_);
  // The newest dispatched events, contiguous in seq, ending at `last_seq_`
  // (or empty).
  std::deque<Shared> window_ ABSL_GUARDED_BY(mu_);
  size_t window_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::CondVar read_cv_;
  absl::CondVar dispatch_cv_;

  absl::Mutex threads_mu_;
  std::thread dispatcher_ ABSL_GUARDED_BY(threads_mu_);
  std::vector<std::thread> readers_ ABSL_GUARDED_BY(threads_mu_);
};

}  // namespace vouchstream::core

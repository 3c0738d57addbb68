#pragma once
// The durable, ordered record of accepted events, and the quarantine log of
// rejected ones. Sequence numbers start at 1, strictly increase and are never
// reused. Thread-safe: every method may be called from any thread.
//
// Implementations: store::SqliteEventLog (embedded, one file) and
// store::JetStreamEventLog (NATS JetStream). The service core depends only on
// this interface.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

namespace vouchstream::core {

// How long a content-hash id (`v1::ID_RULE_CONTENT_HASH`) deduplicates by
// default: Voucherify retries a webhook it got no 2xx for twelve times, 1
// minute doubling to about 17 hours, then 24 hours: 58 hours in all. A
// retry comes within that; the same body later is a new event (a customer
// who left a segment entering it again).
inline constexpr absl::Duration kDefaultContentHashWindow = absl::Hours(60);

class EventLog {
 public:
  struct AppendResult {
    uint64_t seq = 0;
    // An event with the same identity was stored before (see Append); `seq`
    // is the original event's.
    bool duplicate = false;
  };
  using AppendDone = absl::AnyInvocable<void(absl::StatusOr<AppendResult>)>;

  // Called after each commit with the events it made durable, in seq order,
  // each with `seq` set. Runs on the store's writer thread: it must not block
  // and must not call back into the log's write path.
  using CommitListener =
      absl::AnyInvocable<void(const std::vector<v1::Event>& committed)>;

  virtual ~EventLog() = default;

  // Stores `event` (its `seq` is assigned by the log) and calls `done` once
  // it is durable, or with the original seq and `duplicate` when an event
  // with the same identity was stored before: the same (`type`, `id`), where
  // a content-hash id (`id_rule` ID_RULE_CONTENT_HASH) counts only if that
  // event was received within the log's content-hash window before `now`;
  // or the same `envelope().id()` (one send-out). Events stored before
  // identity was (type, id) (`id_rule` unset) keep their ids and are matched
  // by (type, id) too. `done` runs on
  // a store-owned thread and must not block; an append refused up front
  // (empty id, log shut down) calls `done` before Append returns, on the
  // caller's thread. Errors: kInvalidArgument (empty id), kUnavailable (store
  // closing, disk full or read-only: retry may help).
  //
  // The log also fills `event.enrichment().history()`: the number of events
  // of the same type with the same `enrichment.customer_id` stored before
  // this one, including any that retention has since removed. Only the
  // writer knows that exactly, since concurrent appends for one customer are
  // counted in commit order. Events without a customer id get no history.
  virtual void Append(v1::Event event, AppendDone done) = 0;

  // Registers the single listener for committed events (the broker). Call
  // before the first Append.
  virtual void SetCommitListener(CommitListener listener) = 0;

  // Up to `limit` events with seq > `after_seq`, in seq order.
  virtual absl::StatusOr<std::vector<v1::Event>> ReadAfter(uint64_t after_seq,
                                                           size_t limit) = 0;

  // A reader's request to `ReadMatching`.
  struct ReadRequest {
    uint64_t after_seq = 0;
    // Most events returned.
    size_t limit = 0;
    // Type patterns (EventFilter::TypeMatches syntax); empty means every
    // type. A hint the log may use to skip events server-side: readers still
    // apply their whole filter to what comes back.
    std::vector<std::string> types;
  };
  struct ReadResult {
    // Events with seq > `after_seq`, in seq order, that match `types` (a log
    // may return others too: `types` is a hint).
    std::vector<v1::Event> events;
    // Every seq up to this one has been considered: a reader may move its
    // cursor here. At least `after_seq`; when `events` is not empty, at least
    // the last event's seq.
    uint64_t scanned_through = 0;
  };

  // Like ReadAfter, but may skip events whose type matches none of
  // `request.types` without returning them, and says how far it looked. The
  // default reads ReadAfter pages and filters them here; stores override it
  // to filter where the events are (SQL, a JetStream filter subject).
  virtual absl::StatusOr<ReadResult> ReadMatching(const ReadRequest& request);

  // One event by seq, or by identity: `type` and `id`, or with an empty
  // `type` the newest event with `id`. kNotFound when absent.
  virtual absl::StatusOr<v1::Event> GetBySeq(uint64_t seq) = 0;
  virtual absl::StatusOr<v1::Event> GetById(absl::string_view type,
                                            absl::string_view id) = 0;
  // The newest event with `id`, whatever its type.
  absl::StatusOr<v1::Event> GetById(absl::string_view id) {
    return GetById(absl::string_view(), id);
  }

  // The last committed seq (0 when empty) and the oldest seq retention still
  // holds (LastSeq() + 1 when empty).
  virtual uint64_t LastSeq() = 0;
  virtual absl::StatusOr<uint64_t> FirstSeq() = 0;

  // The seq of the last event received before `time` (0 when none), so that
  // ReadAfter(SeqBefore(t), ...) starts at the first event received at or
  // after `time`.
  virtual absl::StatusOr<uint64_t> SeqBefore(absl::Time time) = 0;

  // Quarantine (dead-letter) log. `entry.quarantine_id` is assigned; returns
  // it once durable.
  virtual absl::StatusOr<uint64_t> Quarantine(v1::QuarantinedEvent entry) = 0;
  // Up to `limit` entries with quarantine_id > `after_id`, oldest first.
  virtual absl::StatusOr<std::vector<v1::QuarantinedEvent>> ListQuarantined(
      uint64_t after_id, size_t limit) = 0;
  virtual absl::StatusOr<v1::QuarantinedEvent> GetQuarantined(uint64_t id) = 0;
  // Records that quarantined entry `id` was accepted as event `seq`.
  virtual absl::Status MarkReprocessed(uint64_t id, uint64_t seq) = 0;

  // Named subscriber cursors: the last seq a subscriber has processed,
  // durable like the events. `GetCursor` is kNotFound for a name never set.
  virtual absl::StatusOr<uint64_t> GetCursor(absl::string_view name) = 0;
  virtual absl::Status SetCursor(absl::string_view name, uint64_t seq) = 0;

  // Stops accepting appends (they fail with kUnavailable), completes the ones
  // already queued and joins the store's threads. Idempotent.
  virtual void Shutdown() = 0;
};

}  // namespace vouchstream::core

#pragma once
// `JetStreamEventLog`: the `core::EventLog` on NATS JetStream, for running
// many services (and gateways) over one replicated log. Thread-safe: every
// method may be called from any thread.
//
// Mapping (DESIGN and BUILD notes: /tmp/docs/jetstream-build.md):
// - Events: stream `Options::stream`, subjects `<subject_prefix>.<type>`
//   (e.g. `vouchstream.events.publication.succeeded`); the payload is the
//   serialized `v1::Event` without `seq`; `seq` is the stream sequence,
//   global across the per-type subjects.
// - Idempotency: identity is (type, id) (`core::EventLog::Append`). Each
//   event is published with `<type>/<id>` as `Nats-Msg-Id`, so JetStream's
//   duplicate window (`duplicate_window`) answers a retry with the original
//   seq. For retries that come back later (Voucherify retries for more than
//   two days), the KV bucket `<stream>_IDS` maps `tid.<hex type NUL id>` and
//   `env.<hex envelope id>` to the seq; `Append` looks there first (for a
//   content-hash id, the stored event's `received_at` decides whether it is
//   still within `content_hash_window`). `id.<hex id>` maps an id to the
//   newest seq with it, for `GetById` without a type; events stored before
//   identity was (type, id) have only that key, and are matched through it
//   while the stream may hold them (state key `identity.type_id_from`: the
//   first seq stored under the new rule). The
//   key is written after the PubAck and before `done`: an event is never
//   acknowledged without its long-term dedup key. A crash between the
//   PubAck and that write leaves the event stored but unacknowledged; its
//   retry within the duplicate window gets the original seq from JetStream
//   (and writes the key). After `Open`, a background thread also
//   re-indexes the last `duplicate_window` of the stream (oldest first, up
//   to the end as of `Open`; JetStream's own window covers those events
//   meanwhile), so a retry that comes later than the window finds the key
//   once any service has restarted since the crash. Not in `Open` itself: a
//   busy stream has many events in the window, and a service must start
//   quickly.
// - History facts: a per-(type, customer) counter in the KV bucket
//   `<stream>_STATE`, bumped with compare-and-set before publishing. Counts
//   are exact per key, but their order is the order of the counter updates,
//   which may differ from stream order when two services append for the
//   same customer at once; a PubAck that reports a duplicate (a retry racing
//   its original inside the window) has already been counted.
// - Quarantine: stream `<stream>_QUARANTINE` (quarantine_id = its sequence);
//   reprocessed marks and subscriber cursors: keys in `<stream>_STATE`.
// - Live feed: one ordered push consumer (flow control and heartbeats) over
//   the whole stream, from the stream's end at `Open`, feeds the commit
//   listener in stream order, including events that other services
//   appended. `LastSeq()` is the last seq this feed has delivered.
//
// Threads: `Options::publishers` threads (started by `Open`, joined by
// `Shutdown`) run appends: the id lookups and the id keys in parallel; the
// history counter and the publish (to its PubAck) one append at a time, in
// the order `Append` was called, so that one service's appends get seqs and
// history counts in call order, as with SQLite. libnats owns the feed's
// delivery thread; the commit listener runs on it.
//
//   JetStreamEventLog::Options options;
//   options.servers = {"nats://127.0.0.1:4222"};
//   options.stream = "VOUCHSTREAM";
//   auto log = JetStreamEventLog::Open(options);
//   if (!log.ok()) { return log.status(); }

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "service/core/telemetry.h"
#include "service/store/nats_handles.h"

namespace vouchstream::store {

class JetStreamEventLog final : public core::EventLog {
 public:
  // Defaults:
  //   servers            (required) e.g. {"nats://127.0.0.1:4222"}
  //   stream             (required) e.g. "VOUCHSTREAM"
  //   subject_prefix     "vouchstream.events"
  //   replicas           1 (3 on a 3-node cluster survives a node loss)
  //   max_age            absl::InfiniteDuration() (keep forever)
  //   max_count          0 (no limit)
  //   duplicate_window   absl::Minutes(10) (capped at max_age)
  //   content_hash_window core::kDefaultContentHashWindow (60 h)
  //   publishers         8 append threads
  //   request_timeout    absl::Seconds(5) per JetStream request
  //   queue_timeout      absl::Seconds(5) an append may wait to be published
  //   open_timeout       absl::Seconds(30) for `Open` to set the stream up
  //   feed_stall_timeout absl::Seconds(10) before the feed is started over
  //   now                absl::Now
  struct Options {
    std::vector<std::string> servers;
    std::string stream;
    std::string subject_prefix = "vouchstream.events";
    int64_t replicas = 1;
    // Retention, applied by JetStream itself (stream MaxAge and MaxMsgs,
    // discard old): only a prefix of the log is ever removed.
    absl::Duration max_age = absl::InfiniteDuration();
    uint64_t max_count = 0;
    // JetStream's in-memory dedup window for `Nats-Msg-Id`.
    absl::Duration duplicate_window = absl::Minutes(10);
    // How long a content-hash id deduplicates (see `core::EventLog::Append`).
    absl::Duration content_hash_window = core::kDefaultContentHashWindow;
    int publishers = 8;
    // How long one JetStream request (publish, KV operation, read) may wait
    // for its answer, e.g. while a new stream leader is elected.
    absl::Duration request_timeout = absl::Seconds(5);
    // An append that waited longer than this for a publisher (the cluster
    // was slow or without quorum meanwhile) fails with kUnavailable without
    // being published: its caller has most likely given up, and storing it
    // late would only turn its retry into a duplicate.
    absl::Duration queue_timeout = absl::Seconds(5);
    // How long `Open` retries creating or updating the streams and buckets
    // while the cluster answers kUnavailable (e.g. just started, electing).
    absl::Duration open_timeout = absl::Seconds(30);
    // The live feed is started over (from the last seq it delivered) when
    // the stream has newer events and the feed delivered nothing for this
    // long, e.g. after its consumer was lost while the cluster had no
    // quorum.
    absl::Duration feed_stall_timeout = absl::Seconds(10);
    // For `received_at` of events that have none, `quarantined_at` and the
    // content-hash window.
    std::function<absl::Time()> now = [] { return absl::Now(); };
    // Told of each commit and remote round trip (metrics). Must outlive
    // the log.
    core::Telemetry* telemetry = core::Telemetry::None();
  };

  struct Stats {
    uint64_t events_appended = 0;
    // Answered as duplicates: by the id keys, and by JetStream's window.
    uint64_t duplicates_by_key = 0;
    uint64_t duplicates_by_window = 0;
    uint64_t appends_failed = 0;
    // Of those, failed for waiting longer than `queue_timeout`.
    uint64_t appends_expired = 0;
    // Events the feed delivered to the commit listener.
    uint64_t events_fed = 0;
    // Id keys restored from the stream's recent past (in the background
    // after `Open`), whether that pass has finished, and its failed tries.
    uint64_t keys_repaired = 0;
    bool repair_done = false;
    uint64_t repair_failures = 0;
    // Times the watchdog started the live feed over.
    uint64_t feed_restarts = 0;
    // Events reads fetched from the server (a filter subject skips the
    // others there).
    uint64_t events_read = 0;
  };

  // Connects, creates the stream, the quarantine stream and the KV buckets
  // (or updates them to `options`' replicas and retention), starts the feed,
  // the publisher threads and the re-indexing of the recent past. Errors:
  // kInvalidArgument (bad options), kUnavailable (no server answers, no
  // JetStream, no quorum), kFailedPrecondition (the stream exists with
  // other subjects).
  static absl::StatusOr<std::unique_ptr<JetStreamEventLog>> Open(
      const Options& options);

  JetStreamEventLog(const JetStreamEventLog&) = delete;
  JetStreamEventLog& operator=(const JetStreamEventLog&) = delete;
  // Calls `Shutdown()`.
  ~JetStreamEventLog() override;

  // core::EventLog:
  //
  // `Append` errors: kInvalidArgument (empty id, an event larger than the
  // server's max_payload), kUnavailable (no quorum, timeout, shut down).
  void Append(v1::Event event, AppendDone done) override;
  void SetCommitListener(CommitListener listener) override;
  absl::StatusOr<std::vector<v1::Event>> ReadAfter(uint64_t after_seq,
                                                   size_t limit) override;
  // A JetStream consumer filtered by the subject of a single type pattern
  // (`FilterSubjectFor`).
  absl::StatusOr<ReadResult> ReadMatching(const ReadRequest& request) override;
  absl::StatusOr<v1::Event> GetBySeq(uint64_t seq) override;
  absl::StatusOr<v1::Event> GetById(absl::string_view type,
                                    absl::string_view id) override;
  using core::EventLog::GetById;
  uint64_t LastSeq() override;
  absl::StatusOr<uint64_t> FirstSeq() override;
  // By JetStream's storage time of each message, which is at most a few
  // milliseconds after its `received_at`.
  absl::StatusOr<uint64_t> SeqBefore(absl::Time time) override;
  absl::StatusOr<uint64_t> Quarantine(v1::QuarantinedEvent entry) override;
  absl::StatusOr<std::vector<v1::QuarantinedEvent>> ListQuarantined(
      uint64_t after_id, size_t limit) override;
  absl::StatusOr<v1::QuarantinedEvent> GetQuarantined(uint64_t id) override;
  absl::Status MarkReprocessed(uint64_t id, uint64_t seq) override;
  void Shutdown() override;

  // Subscriber cursors, shared by every service on the stream.
  // `GetCursor` returns kNotFound for a name never set.
  absl::StatusOr<uint64_t> GetCursor(absl::string_view name) override;
  absl::Status SetCursor(absl::string_view name, uint64_t seq) override;

  // The subject an event of `type` is published on: the prefix, then the
  // type's dot-separated tokens with characters NATS subjects cannot hold
  // (space, `*`, `>`, control characters) and empty tokens replaced by `_`.
  static std::string SubjectFor(absl::string_view prefix,
                                absl::string_view type);

  // The consumer filter subject that selects the events of `types`
  // (EventFilter::TypeMatches patterns), or a superset: one literal type is
  // its subject, "a.b.*" is "<prefix>.a.b.>", anything else (or several
  // patterns: nats-server 2.9 takes one filter) the whole stream.
  static std::string FilterSubjectFor(absl::string_view prefix,
                                      const std::vector<std::string>& types);

  Stats stats() const;

 private:
  struct PendingAppend {
    v1::Event event;
    AppendDone done;
    // Appends publish in the order they were called (see PublisherLoop).
    uint64_t ticket = 0;
    absl::Time queued;
  };
  struct StreamState {
    uint64_t first_seq = 0;
    uint64_t last_seq = 0;
    uint64_t messages = 0;
    int64_t first_time_ns = 0;
    int64_t last_time_ns = 0;
  };

  explicit JetStreamEventLog(Options options);

  absl::Status Connect();
  // Streams, buckets, key repair and the live feed; retried by `Open`.
  absl::Status SetUp();
  absl::Status EnsureStreams();
  absl::Status EnsureBuckets();
  absl::Status RepairRecentKeys();
  // Runs RepairRecentKeys on `repairer_` until it succeeds or Shutdown.
  void RepairInBackground();
  // Subscribes the live feed from `after_seq` + 1, replacing any earlier.
  absl::Status StartFeed(uint64_t after_seq);
  void WatchFeed();

  void PublisherLoop();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<AppendResult> AppendOne(v1::Event& event, uint64_t ticket);
  bool IsTurn(const uint64_t* ticket) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndTurn();
  // The seq stored under `key` in the ids bucket, or nullopt.
  absl::StatusOr<std::optional<uint64_t>> LookupSeq(const std::string& key);
  absl::Status RecordIds(const v1::Event& event, uint64_t seq);
  // The seq of an event stored before with `event`'s identity, if any; for a
  // content-hash id outside the window, `*earlier` is set to that event's
  // seq (the new one is stored, under a message id of its own).
  absl::StatusOr<std::optional<uint64_t>> FindIdentity(const v1::Event& event,
                                                       uint64_t* earlier);
  // Reads or sets `identity.type_id_from` (see the file comment).
  absl::Status LoadIdentityEpoch(uint64_t last_seq);
  absl::Status CountHistory(v1::Event& event);

  // Runs `read` again while it fails kUnavailable, for a bounded time.
  template <typename T>
  absl::StatusOr<T> RetryRead(const std::function<absl::StatusOr<T>()>& read);
  absl::StatusOr<StreamState> GetStreamState(const std::string& stream);
  // The raw payload of message `seq` of `stream`, or kNotFound.
  absl::StatusOr<std::string> GetPayload(const std::string& stream,
                                         uint64_t seq);
  // The first message at or after `seq` and at most `last` that still
  // exists, with its storage time (ns since the epoch); kNotFound if none.
  absl::StatusOr<std::pair<uint64_t, int64_t>> StoredAt(uint64_t seq,
                                                        uint64_t last);
  // The seq of the last message on `subject` (wildcards allowed), from the
  // stream leader; 0 when there is none.
  absl::StatusOr<uint64_t> LastSeqOn(const std::string& subject);
  // Up to `limit` events after `after_seq` on `subject`, through an
  // ephemeral pull consumer.
  absl::StatusOr<ReadResult> ReadRange(uint64_t after_seq, size_t limit,
                                       const std::string& subject);
  absl::StatusOr<v1::QuarantinedEvent> ParseQuarantined(
      uint64_t id, const std::string& payload);

  static void OnFeedMessage(natsConnection* connection,
                            natsSubscription* subscription, natsMsg* message,
                            void* closure);
  void Feed(natsSubscription* subscription, natsMsg* message);

  const Options options_;
  const std::string quarantine_stream_;
  const std::string quarantine_subject_;
  NatsConnectionPtr connection_;
  JsCtxPtr js_;
  KvStorePtr ids_;
  KvStorePtr state_;
  std::atomic<uint64_t> fed_seq_{0};
  std::atomic<bool> connection_open_{true};
  // The first seq stored under (type, id) identity: events below it may
  // have only the id-alone key. Set once by `SetUp`.
  std::atomic<uint64_t> type_id_from_{1};

  mutable absl::Mutex mu_;
  bool accepting_ ABSL_GUARDED_BY(mu_) = true;
  std::deque<PendingAppend> appends_ ABSL_GUARDED_BY(mu_);
  // The next ticket `Append` hands out, and the one whose turn it is to
  // count history and publish.
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t turn_ ABSL_GUARDED_BY(mu_) = 0;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  CommitListener listener_ ABSL_GUARDED_BY(mu_);

  // (type, customer) key -> the count and revision this service last wrote.
  // Only the append whose turn it is touches it (see PublisherLoop).
  absl::flat_hash_map<std::string, std::pair<uint64_t, uint64_t>>
      history_cache_;

  // Only the feed's delivery thread touches these (and Shutdown, to stop it).
  absl::Mutex feed_mu_;
  bool feed_stopped_ ABSL_GUARDED_BY(feed_mu_) = false;
  NatsSubscriptionPtr feed_ ABSL_GUARDED_BY(feed_mu_);
  // Feeds the watchdog replaced; only the watchdog thread touches it.
  std::vector<NatsSubscriptionPtr> retired_feeds_;
  absl::Notification stop_watchdog_;
  CommitListener feed_listener_ ABSL_GUARDED_BY(feed_mu_);
  std::vector<v1::Event> feed_batch_ ABSL_GUARDED_BY(feed_mu_);

  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
  std::vector<std::thread> publishers_ ABSL_GUARDED_BY(shutdown_mu_);
  std::thread watchdog_ ABSL_GUARDED_BY(shutdown_mu_);
  std::thread repairer_ ABSL_GUARDED_BY(shutdown_mu_);
};

}  // namespace vouchstream::store

#include "service/store/jetstream_event_log.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include <nats/nats.h>

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"
#include "service/store/nats_handles.h"
#include "service/store/nats_status.h"

namespace vouchstream::store {
namespace {

using ::google::protobuf::util::TimeUtil;
using AppendResult = core::EventLog::AppendResult;

// For the `jsErrCode*` out-parameters: no JetStream API error.
constexpr auto kNoJsError = static_cast<jsErrCode>(0);

// The feed hands the listener at most this many events at once.
constexpr size_t kFeedBatch = 256;
// Most messages asked of the server by one fetch.
constexpr size_t kMaxFetchBatch = 1024;
// A compare-and-set of a history counter gives up after this many lost
// races (each loss means another append counted meanwhile: progress).
constexpr int kCasAttempts = 64;
// History counters whose last value and revision a service remembers.
constexpr size_t kHistoryCacheSize = 100000;

int64_t ToNanos(absl::Duration duration) {
  return absl::ToInt64Nanoseconds(duration);
}

// KV keys allow only [-/_=.a-zA-Z0-9]: ids and names go in as hex.
std::string Key(absl::string_view kind, absl::string_view name) {
  return absl::StrCat(kind, ".", absl::BytesToHexString(name));
}

// The long-term dedup key of an event's identity (type, id). The two are
// NUL-separated: a type never holds a NUL.
std::string IdentityKey(absl::string_view type, absl::string_view id) {
  return Key("tid", absl::StrCat(type, absl::string_view("\0", 1), id));
}

// The state key holding the first seq stored under (type, id) identity.
constexpr const char* kTypeIdFromKey = "identity.type_id_from";

// `Nats-Msg-Id` is a header value: printable ASCII goes as is (readable in
// `nats stream view`), anything else as hex.
std::string MsgId(absl::string_view id) {
  const bool printable = std::all_of(
      id.begin(), id.end(), [](char c) { return c > ' ' && c < 0x7f; });
  return printable ? std::string(id.data(), id.size())
                   : absl::StrCat("hex:", absl::BytesToHexString(id));
}

std::string Payload(natsMsg* message) {
  return {natsMsg_GetData(message),
          static_cast<size_t>(natsMsg_GetDataLength(message))};
}

absl::StatusOr<v1::Event> ParseEvent(const std::string& payload, uint64_t seq) {
  v1::Event event;
  if (!event.ParseFromString(payload)) {
    return absl::DataLossError(
        absl::StrCat("event log: the payload of seq ", seq, " does not parse"));
  }
  event.set_seq(seq);
  return event;
}

absl::StatusOr<uint64_t> ParseSeq(absl::string_view value,
                                  absl::string_view key) {
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(value, &seq)) {
    return absl::DataLossError(
        absl::StrCat("event log: key ", key, " holds \"", value, "\""));
  }
  return seq;
}

absl::StatusOr<KvStorePtr> OpenBucket(jsCtx* js, const std::string& bucket,
                                      int64_t replicas, absl::Duration ttl) {
  kvStore* raw = nullptr;
  natsStatus status = js_KeyValue(&raw, js, bucket.c_str());
  if (status == NATS_OK) {
    return KvStorePtr(raw);
  }
  kvConfig config;
  kvConfig_Init(&config);
  config.Bucket = bucket.c_str();
  config.History = 1;
  config.StorageType = js_FileStorage;
  config.Replicas = static_cast<int>(replicas);
  if (ttl != absl::InfiniteDuration()) {
    config.TTL = ToNanos(ttl);
  }
  status = js_CreateKeyValue(&raw, js, &config);
  if (status != NATS_OK) {
    return NatsError(status, absl::StrCat("creating KV bucket ", bucket));
  }
  return KvStorePtr(raw);
}

}  // namespace

std::string JetStreamEventLog::SubjectFor(absl::string_view prefix,
                                          absl::string_view type) {
  std::string subject(prefix);
  for (absl::string_view token : absl::StrSplit(type, '.')) {
    subject.push_back('.');
    if (token.empty()) {
      subject.push_back('_');
      continue;
    }
    for (const char c : token) {
      const auto u = static_cast<unsigned char>(c);
      subject.push_back(u <= ' ' || u == 0x7f || c == '*' || c == '>' ? '_'
                                                                      : c);
    }
  }
  return subject;
}

absl::StatusOr<std::unique_ptr<JetStreamEventLog>> JetStreamEventLog::Open(
    const Options& options) {
  if (options.servers.empty()) {
    return absl::InvalidArgumentError("event log: options.servers is empty");
  }
  if (options.stream.empty()) {
    return absl::InvalidArgumentError("event log: options.stream is empty");
  }
  if (options.replicas < 1 || options.replicas > 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event log: options.replicas ", options.replicas, " is not 1..5"));
  }
  if (options.publishers < 1) {
    return absl::InvalidArgumentError(
        "event log: options.publishers must be at least 1");
  }
  if (options.max_age <= absl::ZeroDuration() ||
      options.duplicate_window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "event log: options.max_age and duplicate_window must be positive");
  }
  if (options.content_hash_window < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "event log: options.content_hash_window must not be negative");
  }
  if (!options.now) {
    return absl::InvalidArgumentError("event log: options.now is empty");
  }
  std::unique_ptr<JetStreamEventLog> log(new JetStreamEventLog(options));
  const std::string what =
      absl::StrCat("event log nats stream ", options.stream);
  absl::Status status = log->Connect();
  // A cluster that has just started, or lost a node, answers stream,
  // bucket and consumer requests with timeouts while it elects leaders:
  // retry those, bounded by `open_timeout`.
  const absl::Time deadline = absl::Now() + options.open_timeout;
  while (status.ok()) {
    status = log->SetUp();
    if (!absl::IsUnavailable(status) || absl::Now() >= deadline) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(250));
    status = absl::OkStatus();
  }
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat(what, ": ", status.message()));
  }
  absl::MutexLock lock(&log->shutdown_mu_);
  for (int i = 0; i < options.publishers; ++i) {
    log->publishers_.emplace_back([raw = log.get()] { raw->PublisherLoop(); });
  }
  log->watchdog_ = std::thread([raw = log.get()] { raw->WatchFeed(); });
  log->repairer_ =
      std::thread([raw = log.get()] { raw->RepairInBackground(); });
  return log;
}

void JetStreamEventLog::RepairInBackground() {
  // Retried until it succeeds: a node may be down or electing right now.
  while (!stop_watchdog_.HasBeenNotified()) {
    const absl::Status status = RepairRecentKeys();
    {
      absl::MutexLock lock(&mu_);
      if (status.ok()) {
        stats_.repair_done = true;
        return;
      }
      ++stats_.repair_failures;
    }
    stop_watchdog_.WaitForNotificationWithTimeout(absl::Seconds(1));
  }
}

absl::Status JetStreamEventLog::SetUp() {
  absl::Status status = EnsureStreams();
  if (status.ok()) {
    status = EnsureBuckets();
  }
  absl::StatusOr<StreamState> state = status.ok()
                                          ? GetStreamState(options_.stream)
                                          : absl::StatusOr<StreamState>(status);
  if (!state.ok()) {
    return state.status();
  }
  status = LoadIdentityEpoch(state->last_seq);
  if (!status.ok()) {
    return status;
  }
  fed_seq_.store(state->last_seq);
  return StartFeed(state->last_seq);
}

absl::Status JetStreamEventLog::LoadIdentityEpoch(uint64_t last_seq) {
  // Twice at most: a create that loses to another service reads its value.
  for (int attempt = 0; attempt < 2; ++attempt) {
    kvEntry* raw = nullptr;
    natsStatus status = kvStore_Get(&raw, state_.get(), kTypeIdFromKey);
    KvEntryPtr entry(raw);
    if (status == NATS_OK) {
      absl::StatusOr<uint64_t> from =
          ParseSeq(kvEntry_ValueString(entry.get()), kTypeIdFromKey);
      if (!from.ok()) {
        return from.status();
      }
      type_id_from_.store(*from);
      return absl::OkStatus();
    }
    if (status != NATS_NOT_FOUND) {
      return NatsError(status, "event log: reading the identity epoch");
    }
    uint64_t revision = 0;
    const std::string from = absl::StrCat(last_seq + 1);
    status = kvStore_CreateString(&revision, state_.get(), kTypeIdFromKey,
                                  from.c_str());
    if (status == NATS_OK) {
      type_id_from_.store(last_seq + 1);
      return absl::OkStatus();
    }
    if (status != NATS_ERR) {
      return NatsError(status, "event log: writing the identity epoch");
    }
  }
  return absl::UnavailableError(
      "event log: the identity epoch key changed while being read");
}

JetStreamEventLog::JetStreamEventLog(Options options)
    : options_(std::move(options)),
      quarantine_stream_(absl::StrCat(options_.stream, "_QUARANTINE")),
      quarantine_subject_(
          absl::StrCat("vouchstream.quarantine.", options_.stream)) {}

JetStreamEventLog::~JetStreamEventLog() { Shutdown(); }

absl::Status JetStreamEventLog::Connect() {
  natsOptions* raw_options = nullptr;
  natsStatus status = natsOptions_Create(&raw_options);
  NatsOptionsPtr nats_options(raw_options);
  std::vector<const char*> servers;
  servers.reserve(options_.servers.size());
  for (const std::string& server : options_.servers) {
    servers.push_back(server.c_str());
  }
  if (status == NATS_OK) {
    status = natsOptions_SetServers(nats_options.get(), servers.data(),
                                    static_cast<int>(servers.size()));
  }
  // Reconnect forever, quickly: a cluster node going away must only move
  // this connection to another node, never end it.
  if (status == NATS_OK) {
    status = natsOptions_SetMaxReconnect(nats_options.get(), -1);
  }
  if (status == NATS_OK) {
    status = natsOptions_SetReconnectWait(nats_options.get(), 100);
  }
  if (status == NATS_OK) {
    status = natsOptions_SetTimeout(nats_options.get(), 2000);
  }
  if (status == NATS_OK) {
    status = natsOptions_SetName(nats_options.get(), "vouchstream-server");
  }
  natsConnection* connection = nullptr;
  if (status == NATS_OK) {
    status = natsConnection_Connect(&connection, nats_options.get());
  }
  if (status != NATS_OK) {
    return NatsError(
        status,
        absl::StrCat("connecting to ", absl::StrJoin(options_.servers, ",")));
  }
  connection_.reset(connection);
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = absl::ToInt64Milliseconds(options_.request_timeout);
  jsCtx* js = nullptr;
  status = natsConnection_JetStream(&js, connection_.get(), &js_options);
  if (status != NATS_OK) {
    return NatsError(status, "opening the JetStream context");
  }
  js_.reset(js);
  return absl::OkStatus();
}

absl::Status JetStreamEventLog::EnsureStreams() {
  struct Wanted {
    const std::string* name;
    std::string subject;
    bool retention;
  };
  const std::array<Wanted, 2> wanted = {{
      {&options_.stream, absl::StrCat(options_.subject_prefix, ".>"), true},
      {&quarantine_stream_, quarantine_subject_, false},
  }};
  for (const Wanted& stream : wanted) {
    std::array<const char*, 1> subjects = {stream.subject.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = stream.name->c_str();
    config.Subjects = subjects.data();
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Retention = js_LimitsPolicy;
    config.Discard = js_DiscardOld;
    config.Replicas = options_.replicas;
    absl::Duration window = options_.duplicate_window;
    if (stream.retention) {
      if (options_.max_count > 0) {
        config.MaxMsgs = static_cast<int64_t>(std::min<uint64_t>(
            options_.max_count,
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
      }
      if (options_.max_age != absl::InfiniteDuration()) {
        config.MaxAge = ToNanos(options_.max_age);
        window = std::min(window, options_.max_age);
      }
    }
    config.Duplicates = ToNanos(window);
    jsStreamInfo* raw_info = nullptr;
    jsErrCode js_error = kNoJsError;
    natsStatus status = js_GetStreamInfo(
        &raw_info, js_.get(), stream.name->c_str(), nullptr, &js_error);
    JsStreamInfoPtr info(raw_info);
    const std::string what = absl::StrCat("stream ", *stream.name);
    if (status == NATS_NOT_FOUND || js_error == JSStreamNotFoundErr) {
      js_error = kNoJsError;
      status = js_AddStream(&raw_info, js_.get(), &config, nullptr, &js_error);
      info.reset(raw_info);
      if (status != NATS_OK) {
        return NatsError(status, absl::StrCat("creating ", what), js_error);
      }
      continue;
    }
    if (status != NATS_OK) {
      return NatsError(status, absl::StrCat("reading ", what), js_error);
    }
    const jsStreamConfig* have = info->Config;
    if (have == nullptr || have->SubjectsLen != 1 ||
        stream.subject != have->Subjects[0]) {
      return absl::FailedPreconditionError(absl::StrCat(
          what, " exists with other subjects than \"", stream.subject, "\""));
    }
    // Same name and subjects: bring replicas and retention to what this
    // service was started with (JetStream applies both online).
    status = js_UpdateStream(&raw_info, js_.get(), &config, nullptr, &js_error);
    info.reset(raw_info);
    if (status != NATS_OK) {
      return NatsError(status, absl::StrCat("updating ", what), js_error);
    }
  }
  return absl::OkStatus();
}

absl::Status JetStreamEventLog::EnsureBuckets() {
  absl::StatusOr<KvStorePtr> ids =
      OpenBucket(js_.get(), absl::StrCat(options_.stream, "_IDS"),
                 options_.replicas, options_.max_age);
  if (!ids.ok()) {
    return ids.status();
  }
  ids_ = *std::move(ids);
  absl::StatusOr<KvStorePtr> state =
      OpenBucket(js_.get(), absl::StrCat(options_.stream, "_STATE"),
                 options_.replicas, absl::InfiniteDuration());
  if (!state.ok()) {
    return state.status();
  }
  state_ = *std::move(state);
  return absl::OkStatus();
}

absl::Status JetStreamEventLog::RepairRecentKeys() {
  // See the header: a service that died between a PubAck and its id keys
  // left events without them. Those events are at most `duplicate_window`
  // old for as long as JetStream itself still dedups them; restore the keys
  // of everything younger than that.
  // Only up to the stream's end as of now: what other services append
  // meanwhile gets its keys from them, and chasing a stream under load
  // would keep this service from ever starting.
  absl::StatusOr<StreamState> state = GetStreamState(options_.stream);
  if (!state.ok()) {
    return state.status();
  }
  absl::StatusOr<uint64_t> cursor =
      SeqBefore(options_.now() - options_.duplicate_window);
  if (!cursor.ok()) {
    return cursor.status();
  }
  uint64_t repaired = 0;
  while (*cursor < state->last_seq && !stop_watchdog_.HasBeenNotified()) {
    absl::StatusOr<ReadResult> page =
        ReadRange(*cursor, std::min<uint64_t>(state->last_seq - *cursor, 256),
                  absl::StrCat(options_.subject_prefix, ".>"));
    if (!page.ok()) {
      return page.status();
    }
    if (page->events.empty()) {
      break;
    }
    for (const v1::Event& event : page->events) {
      absl::StatusOr<std::optional<uint64_t>> known =
          LookupSeq(IdentityKey(event.type(), event.id()));
      if (!known.ok()) {
        return known.status();
      }
      // A content-hash id may have been stored again since: keep the newest.
      if (!known->has_value() || **known < event.seq()) {
        absl::Status recorded = RecordIds(event, event.seq());
        if (!recorded.ok()) {
          return recorded;
        }
        ++repaired;
      }
      *cursor = event.seq();
    }
  }
  absl::MutexLock lock(&mu_);
  stats_.keys_repaired += repaired;
  return absl::OkStatus();
}

absl::Status JetStreamEventLog::StartFeed(uint64_t after_seq) {
  const std::string subject = absl::StrCat(options_.subject_prefix, ".>");
  jsSubOptions sub_options;
  jsSubOptions_Init(&sub_options);
  sub_options.Stream = options_.stream.c_str();
  sub_options.Ordered = true;
  sub_options.Config.DeliverPolicy = js_DeliverByStartSequence;
  sub_options.Config.OptStartSeq = after_seq + 1;
  natsSubscription* subscription = nullptr;
  jsErrCode js_error = kNoJsError;
  NatsSubscriptionPtr old;
  {
    // Held while subscribing, so that the first message's callback waits
    // until `feed_` names the new subscription (Feed drops any other's).
    absl::MutexLock lock(&feed_mu_);
    const natsStatus status =
        js_Subscribe(&subscription, js_.get(), subject.c_str(), &OnFeedMessage,
                     this, nullptr, &sub_options, &js_error);
    if (status != NATS_OK) {
      return NatsError(status, "starting the live feed", js_error);
    }
    // Flow control bounds what the server sends ahead; never drop on the
    // client side (a drop would only make the ordered consumer start over).
    natsSubscription_SetPendingLimits(subscription, -1, -1);
    old = std::move(feed_);
    feed_.reset(subscription);
  }
  if (old != nullptr) {
    natsSubscription_Unsubscribe(old.get());
    // Its callback may still be running (and will drop what it has);
    // destroyed with the log.
    retired_feeds_.push_back(std::move(old));
  }
  return absl::OkStatus();
}

void JetStreamEventLog::WatchFeed() {
  // libnats restarts an ordered consumer that misses heartbeats by itself,
  // but not if creating the new consumer fails (e.g. while the cluster has
  // no quorum). Start it over when the stream is ahead of the feed and the
  // feed has not moved for `feed_stall_timeout`.
  uint64_t last_fed = fed_seq_.load();
  absl::Time moved = absl::Now();
  while (!stop_watchdog_.WaitForNotificationWithTimeout(absl::Seconds(1))) {
    const uint64_t fed = fed_seq_.load();
    if (fed != last_fed) {
      last_fed = fed;
      moved = absl::Now();
      continue;
    }
    if (absl::Now() - moved < options_.feed_stall_timeout) {
      continue;
    }
    absl::StatusOr<StreamState> state = GetStreamState(options_.stream);
    if (!state.ok() || state->last_seq <= fed) {
      moved = absl::Now();  // Idle, or unknown: look again later.
      continue;
    }
    if (StartFeed(fed).ok()) {
      absl::MutexLock lock(&mu_);
      ++stats_.feed_restarts;
    }
    moved = absl::Now();
  }
}

void JetStreamEventLog::OnFeedMessage(natsConnection* /*connection*/,
                                      natsSubscription* subscription,
                                      natsMsg* message, void* closure) {
  static_cast<JetStreamEventLog*>(closure)->Feed(subscription, message);
}

bool JetStreamEventLog::HasWorkOrStopping() const {
  return !appends_.empty() || !accepting_;
}

void JetStreamEventLog::Feed(natsSubscription* subscription,
                             natsMsg* raw_message) {
  NatsMsgPtr message(raw_message);
  // Held across the listener call on purpose: only Shutdown takes it, to
  // wait until no feed callback runs.
  absl::MutexLock feed_lock(&feed_mu_);
  if (feed_stopped_ || subscription != feed_.get()) {
    return;  // Shut down, or a feed the watchdog replaced.
  }
  jsMsgMetaData* raw_meta = nullptr;
  if (natsMsg_GetMetaData(&raw_meta, message.get()) != NATS_OK) {
    return;  // Not a stream message (the library filters its own).
  }
  JsMsgMetaDataPtr meta(raw_meta);
  const uint64_t seq = meta->Sequence.Stream;
  const uint64_t last =
      feed_batch_.empty() ? fed_seq_.load() : feed_batch_.back().seq();
  if (seq <= last) {
    return;  // Redelivered after the ordered consumer started over.
  }
  absl::StatusOr<v1::Event> event = ParseEvent(Payload(message.get()), seq);
  if (event.ok()) {
    feed_batch_.push_back(*std::move(event));
  } else {
    // Not ours to crash on: a foreign writer on our subjects. Skipped, and
    // reads report the same seq as kDataLoss.
    fed_seq_.store(seq);
  }
  int pending = 0;
  natsSubscription_GetPending(subscription, &pending, nullptr);
  if (pending > 0 && feed_batch_.size() < kFeedBatch) {
    return;  // More is queued locally: deliver it in one batch.
  }
  if (feed_batch_.empty()) {
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (listener_) {
      feed_listener_ = std::move(listener_);
      listener_ = nullptr;
    }
    stats_.events_fed += feed_batch_.size();
  }
  fed_seq_.store(feed_batch_.back().seq());
  if (feed_listener_) {
    feed_listener_(feed_batch_);
  }
  feed_batch_.clear();
}

void JetStreamEventLog::Shutdown() {
  absl::MutexLock shutdown_lock(&shutdown_mu_);
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  {
    absl::MutexLock lock(&mu_);
    accepting_ = false;
  }
  for (std::thread& publisher : publishers_) {
    publisher.join();
  }
  publishers_.clear();
  stop_watchdog_.Notify();
  if (watchdog_.joinable()) {
    watchdog_.join();
  }
  if (repairer_.joinable()) {
    repairer_.join();
  }
  // After this no Feed call passes its first check, and one in progress has
  // finished; then Unsubscribe stops new callbacks. (Drain would also wait,
  // but for an ordered consumer it runs into its timeout.)
  absl::MutexLock lock(&feed_mu_);
  feed_stopped_ = true;
  if (feed_ != nullptr) {
    natsSubscription_Unsubscribe(feed_.get());
  }
  if (connection_ != nullptr) {
    // Later reads fail with kUnavailable (connection closed), at once.
    connection_open_.store(false);
    natsConnection_Close(connection_.get());
  }
}

void JetStreamEventLog::Append(v1::Event event, AppendDone done) {
  if (event.id().empty()) {
    done(absl::InvalidArgumentError("event.id: must not be empty"));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (accepting_) {
      appends_.push_back(
          {std::move(event), std::move(done), next_ticket_++, absl::Now()});
      return;
    }
  }
  done(absl::UnavailableError("event log: shut down, not accepting appends"));
}

void JetStreamEventLog::SetCommitListener(CommitListener listener) {
  absl::MutexLock lock(&mu_);
  listener_ = std::move(listener);
}

void JetStreamEventLog::PublisherLoop() {
  while (true) {
    PendingAppend pending;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &JetStreamEventLog::HasWorkOrStopping));
      if (appends_.empty()) {
        return;  // Shut down and drained.
      }
      pending = std::move(appends_.front());
      appends_.pop_front();
    }
    if (absl::Now() - pending.queued > options_.queue_timeout) {
      // Still takes its turn, so that later tickets are not held up.
      {
        absl::MutexLock lock(&mu_);
        const uint64_t ticket = pending.ticket;
        const auto is_turn = [this, ticket]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return turn_ == ticket;
        };
        mu_.Await(absl::Condition(&is_turn));
        ++turn_;
        ++stats_.appends_failed;
        ++stats_.appends_expired;
      }
      pending.done(absl::UnavailableError(
          absl::StrCat("event log: waited more than ",
                       absl::FormatDuration(options_.queue_timeout),
                       " to be published (JetStream slow or without quorum)")));
      continue;
    }
    absl::StatusOr<AppendResult> result =
        AppendOne(pending.event, pending.ticket);
    pending.done(std::move(result));
  }
}

void JetStreamEventLog::EndTurn() {
  absl::MutexLock lock(&mu_);
  ++turn_;
}

absl::StatusOr<AppendResult> JetStreamEventLog::AppendOne(v1::Event& event,
                                                          uint64_t ticket) {
  // Every ticket takes its turn exactly once, whatever happens before it.
  bool turn_taken = false;
  const auto take_turn = [&] {
    absl::MutexLock lock(&mu_);
    // Read under `mu_`, held by Await while it evaluates the condition.
    const auto is_turn = [this, ticket]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return turn_ == ticket;
    };
    mu_.Await(absl::Condition(&is_turn));
    turn_taken = true;
  };
  const auto fail = [&](absl::Status status) {
    if (!turn_taken) {
      take_turn();
    }
    EndTurn();
    absl::MutexLock lock(&mu_);
    ++stats_.appends_failed;
    return status;
  };
  // Long-term dedup first: a retry that comes back after JetStream's
  // window is answered here, without publishing (or counting) it again.
  uint64_t earlier = 0;
  absl::StatusOr<std::optional<uint64_t>> known = FindIdentity(event, &earlier);
  if (known.ok() && !known->has_value() && event.envelope().has_id() &&
      !event.envelope().id().empty()) {
    known = LookupSeq(Key("env", event.envelope().id()));
  }
  if (!known.ok()) {
    return fail(known.status());
  }
  if (known->has_value()) {
    take_turn();
    EndTurn();
    absl::MutexLock lock(&mu_);
    ++stats_.duplicates_by_key;
    return AppendResult{**known, true};
  }
  take_turn();
  if (!event.has_received_at()) {
    *event.mutable_received_at() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(options_.now()));
  }
  absl::Status counted = CountHistory(event);
  if (!counted.ok()) {
    return fail(counted);
  }
  event.clear_seq();
  const std::string payload = event.SerializeAsString();
  const std::string subject = SubjectFor(options_.subject_prefix, event.type());
  // A content-hash id stored again after its window needs a message id of
  // its own: JetStream would answer the earlier event's otherwise.
  const std::string msg_id =
      MsgId(earlier == 0 ? absl::StrCat(event.type(), "/", event.id())
                         : absl::StrCat(event.type(), "/", event.id(),
                                        "/after.", earlier));
  jsPubOptions pub_options;
  jsPubOptions_Init(&pub_options);
  pub_options.MsgId = msg_id.c_str();
  pub_options.ExpectStream = options_.stream.c_str();
  jsPubAck* raw_ack = nullptr;
  jsErrCode js_error = kNoJsError;
  const absl::Time published = absl::Now();
  const natsStatus status =
      js_Publish(&raw_ack, js_.get(), subject.c_str(), payload.data(),
                 static_cast<int>(payload.size()), &pub_options, &js_error);
  JsPubAckPtr ack(raw_ack);
  const absl::Duration round_trip = absl::Now() - published;
  options_.telemetry->OnStoreRoundTrip(round_trip);
  if (status != NATS_OK) {
    return fail(NatsError(
        status, absl::StrCat("event log: publishing to ", subject), js_error));
  }
  EndTurn();
  turn_taken = false;
  const AppendResult result{ack->Sequence, ack->Duplicate};
  // Before `done`: nothing is acknowledged without its long-term dedup key.
  absl::Status recorded = RecordIds(event, result.seq);
  if (!recorded.ok()) {
    absl::MutexLock lock(&mu_);
    ++stats_.appends_failed;
    return recorded;
  }
  options_.telemetry->OnCommit(round_trip, 1);
  absl::MutexLock lock(&mu_);
  if (result.duplicate) {
    ++stats_.duplicates_by_window;
  } else {
    ++stats_.events_appended;
  }
  return result;
}

absl::StatusOr<std::optional<uint64_t>> JetStreamEventLog::LookupSeq(
    const std::string& key) {
  kvEntry* raw = nullptr;
  const natsStatus status = kvStore_Get(&raw, ids_.get(), key.c_str());
  KvEntryPtr entry(raw);
  if (status == NATS_NOT_FOUND) {
    return std::nullopt;
  }
  if (status != NATS_OK) {
    return NatsError(status, absl::StrCat("event log: reading key ", key));
  }
  absl::StatusOr<uint64_t> seq =
      ParseSeq(kvEntry_ValueString(entry.get()), key);
  if (!seq.ok()) {
    return seq.status();
  }
  return *seq;
}

absl::Status JetStreamEventLog::RecordIds(const v1::Event& event,
                                          uint64_t seq) {
  const std::string value = absl::StrCat(seq);
  std::vector<std::string> keys = {IdentityKey(event.type(), event.id()),
                                   Key("id", event.id())};
  if (event.envelope().has_id() && !event.envelope().id().empty()) {
    keys.push_back(Key("env", event.envelope().id()));
  }
  for (const std::string& key : keys) {
    uint64_t revision = 0;
    const natsStatus status =
        kvStore_PutString(&revision, ids_.get(), key.c_str(), value.c_str());
    if (status != NATS_OK) {
      return NatsError(status, absl::StrCat("event log: writing key ", key));
    }
  }
  return absl::OkStatus();
}

absl::Status JetStreamEventLog::CountHistory(v1::Event& event) {
  const std::string& customer_id = event.enrichment().customer_id();
  if (customer_id.empty()) {
    return absl::OkStatus();
  }
  const std::string key =
      absl::StrCat("hist.", absl::BytesToHexString(event.type()), ".",
                   absl::BytesToHexString(customer_id));
  const auto record = [&](uint64_t prior, uint64_t revision) {
    v1::CustomerHistory& history =
        *event.mutable_enrichment()->mutable_history();
    history.set_prior_publications(prior);
    history.set_first_publication(prior == 0);
    if (history_cache_.size() >= kHistoryCacheSize) {
      history_cache_.clear();
    }
    history_cache_[key] = {prior + 1, revision};
  };
  natsStatus status = NATS_OK;
  // The common case costs one request: the last count and revision this
  // service wrote, if still current, are bumped without reading them.
  if (auto cached = history_cache_.find(key); cached != history_cache_.end()) {
    const auto [count, last_revision] = cached->second;
    uint64_t revision = 0;
    status =
        kvStore_UpdateString(&revision, state_.get(), key.c_str(),
                             absl::StrCat(count + 1).c_str(), last_revision);
    if (status == NATS_OK) {
      record(count, revision);
      return absl::OkStatus();
    }
    history_cache_.erase(cached);
    if (status != NATS_ERR) {
      return NatsError(status,
                       absl::StrCat("event log: counting history key ", key));
    }
  }
  for (int attempt = 0; attempt < kCasAttempts; ++attempt) {
    kvEntry* raw = nullptr;
    status = kvStore_Get(&raw, state_.get(), key.c_str());
    KvEntryPtr entry(raw);
    uint64_t prior = 0;
    uint64_t revision = 0;
    if (status == NATS_NOT_FOUND) {
      status = kvStore_CreateString(&revision, state_.get(), key.c_str(), "1");
    } else if (status == NATS_OK) {
      absl::StatusOr<uint64_t> count =
          ParseSeq(kvEntry_ValueString(entry.get()), key);
      if (!count.ok()) {
        return count.status();
      }
      prior = *count;
      status = kvStore_UpdateString(&revision, state_.get(), key.c_str(),
                                    absl::StrCat(prior + 1).c_str(),
                                    kvEntry_Revision(entry.get()));
    } else {
      break;
    }
    if (status == NATS_OK) {
      record(prior, revision);
      return absl::OkStatus();
    }
    // NATS_ERR is JetStream's "wrong last sequence": another append counted
    // first. Anything else (timeout, no quorum) is not a race.
    if (status != NATS_ERR) {
      break;
    }
  }
  return NatsError(status == NATS_OK ? NATS_ERR : status,
                   absl::StrCat("event log: counting history key ", key));
}

absl::StatusOr<JetStreamEventLog::StreamState>
JetStreamEventLog::GetStreamState(const std::string& stream) {
  return RetryRead<StreamState>([&]() -> absl::StatusOr<StreamState> {
    jsStreamInfo* raw = nullptr;
    jsErrCode js_error = kNoJsError;
    const natsStatus status =
        js_GetStreamInfo(&raw, js_.get(), stream.c_str(), nullptr, &js_error);
    JsStreamInfoPtr info(raw);
    if (status != NATS_OK) {
      absl::Status error = NatsError(
          status, absl::StrCat("event log: reading stream ", stream), js_error);
      // A missing stream here means someone deleted it under us.
      return absl::UnavailableError(error.message());
    }
    StreamState state;
    state.first_seq = info->State.FirstSeq;
    state.last_seq = info->State.LastSeq;
    state.messages = info->State.Msgs;
    state.first_time_ns = info->State.FirstTime;
    state.last_time_ns = info->State.LastTime;
    return state;
  });
}

absl::StatusOr<std::string> JetStreamEventLog::GetPayload(
    const std::string& stream, uint64_t seq) {
  return RetryRead<std::string>([&]() -> absl::StatusOr<std::string> {
    natsMsg* raw = nullptr;
    jsErrCode js_error = kNoJsError;
    const natsStatus status =
        js_GetMsg(&raw, js_.get(), stream.c_str(), seq, nullptr, &js_error);
    NatsMsgPtr message(raw);
    if (status != NATS_OK) {
      return NatsError(
          status, absl::StrCat("event log: reading seq ", seq, " of ", stream),
          js_error);
    }
    return Payload(message.get());
  });
}

template <typename T>
absl::StatusOr<T> JetStreamEventLog::RetryRead(
    const std::function<absl::StatusOr<T>()>& read) {
  // A node that has just come back, or a stream electing its leader,
  // answers "JetStream system temporarily unavailable" for a moment: reads
  // retry for up to `request_timeout` before reporting kUnavailable.
  const absl::Time deadline = absl::Now() + options_.request_timeout;
  while (true) {
    absl::StatusOr<T> result = read();
    if (!absl::IsUnavailable(result.status()) || absl::Now() >= deadline ||
        !connection_open_.load()) {
      return result;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

absl::StatusOr<std::vector<v1::Event>> JetStreamEventLog::ReadAfter(
    uint64_t after_seq, size_t limit) {
  std::vector<v1::Event> events;
  if (limit == 0) {
    return events;
  }
  absl::StatusOr<StreamState> state = GetStreamState(options_.stream);
  if (!state.ok()) {
    return state.status();
  }
  // Limits retention removes only a prefix, so [first, last] is dense but
  // for messages deleted by hand: those are skipped.
  for (uint64_t seq = std::max(after_seq + 1, state->first_seq);
       seq <= state->last_seq && events.size() < limit; ++seq) {
    absl::StatusOr<std::string> payload = GetPayload(options_.stream, seq);
    if (absl::IsNotFound(payload.status())) {
      continue;
    }
    if (!payload.ok()) {
      return payload.status();
    }
    absl::StatusOr<v1::Event> event = ParseEvent(*payload, seq);
    if (!event.ok()) {
      return event.status();
    }
    events.push_back(*std::move(event));
  }
  return events;
}

absl::StatusOr<core::EventLog::ReadResult> JetStreamEventLog::ReadMatching(
    const ReadRequest& request) {
  const std::string subject =
      FilterSubjectFor(options_.subject_prefix, request.types);
  if (request.types.empty() ||
      subject == absl::StrCat(options_.subject_prefix, ".>")) {
    // No narrower subject: consistent reads from the stream leader.
    return EventLog::ReadMatching(request);
  }
  return ReadRange(request.after_seq, request.limit, subject);
}

absl::StatusOr<uint64_t> JetStreamEventLog::LastSeqOn(
    const std::string& subject) {
  return RetryRead<uint64_t>([&]() -> absl::StatusOr<uint64_t> {
    natsMsg* raw = nullptr;
    jsErrCode js_error = kNoJsError;
    const natsStatus status =
        js_GetLastMsg(&raw, js_.get(), options_.stream.c_str(), subject.c_str(),
                      nullptr, &js_error);
    NatsMsgPtr message(raw);
    if (status == NATS_NOT_FOUND || js_error == JSNoMessageFoundErr) {
      return 0;
    }
    if (status != NATS_OK) {
      return NatsError(status,
                       absl::StrCat("event log: last message on ", subject),
                       js_error);
    }
    return natsMsg_GetSequence(message.get());
  });
}

std::string JetStreamEventLog::FilterSubjectFor(
    absl::string_view prefix, const std::vector<std::string>& types) {
  std::string everything = absl::StrCat(prefix, ".>");
  // One filter subject per consumer (nats-server 2.9): several patterns
  // read the whole stream.
  if (types.size() != 1) {
    return everything;
  }
  absl::string_view pattern = types.front();
  const size_t star = pattern.find('*');
  if (star == absl::string_view::npos) {
    return SubjectFor(prefix, pattern);
  }
  // "a.b.*" matches every type under "a.b." (a `*` also spans dots): NATS's
  // ">". A `*` anywhere else has no subject equivalent.
  if (star + 1 == pattern.size() && star >= 2 && pattern[star - 1] == '.') {
    return absl::StrCat(SubjectFor(prefix, pattern.substr(0, star - 1)), ".>");
  }
  return everything;
}

namespace {

// What one fetch of a pull consumer got.
enum class Fetched {
  kMore,     // Messages, and more match after them.
  kEnd,      // Messages up to the last match there is.
  kNothing,  // No message (the server said so or timed out): not proof that
             // nothing matches, so the caller must not skip ahead.
};

// Fetches up to `want` messages of the pull consumer `subscription` into
// `page` (events, and `scanned_through` = the last one's seq).
absl::StatusOr<Fetched> FetchInto(natsSubscription* subscription, size_t want,
                                  absl::Duration expires,
                                  const std::string& subject,
                                  core::EventLog::ReadResult* page) {
  jsFetchRequest fetch;
  jsFetchRequest_Init(&fetch);
  fetch.Batch = static_cast<int>(want);
  fetch.NoWait = true;
  fetch.Expires = absl::ToInt64Nanoseconds(expires);
  natsMsgList list{};
  const natsStatus status =
      natsSubscription_FetchRequest(&list, subscription, &fetch);
  struct DestroyList {
    natsMsgList* list;
    ~DestroyList() { natsMsgList_Destroy(list); }
  } destroy_list{&list};
  if (list.Count == 0) {
    if (status == NATS_NOT_FOUND || status == NATS_TIMEOUT) {
      return Fetched::kNothing;
    }
    return NatsError(status,
                     absl::StrCat("event log: fetching after seq ",
                                  page->scanned_through, " on ", subject),
                     kNoJsError);
  }
  bool end = false;
  for (int i = 0; i < list.Count; ++i) {
    jsMsgMetaData* raw_meta = nullptr;
    if (natsMsg_GetMetaData(&raw_meta, list.Msgs[i]) != NATS_OK) {
      continue;
    }
    JsMsgMetaDataPtr meta(raw_meta);
    const uint64_t seq = meta->Sequence.Stream;
    absl::StatusOr<v1::Event> event = ParseEvent(Payload(list.Msgs[i]), seq);
    if (!event.ok()) {
      return event.status();
    }
    page->events.push_back(*std::move(event));
    page->scanned_through = seq;
    end = end || meta->NumPending == 0;
  }
  return end ? Fetched::kEnd : Fetched::kMore;
}

}  // namespace

absl::StatusOr<core::EventLog::ReadResult> JetStreamEventLog::ReadRange(
    uint64_t after_seq, size_t limit, const std::string& subject) {
  ReadResult result;
  result.scanned_through = after_seq;
  if (limit == 0) {
    return result;
  }
  absl::StatusOr<StreamState> state = GetStreamState(options_.stream);
  if (!state.ok()) {
    return state.status();
  }
  if (state->last_seq <= after_seq) {
    return result;
  }
  // An ephemeral pull consumer from the start seq, filtered by subject: one
  // round trip to create it and one per fetched batch, instead of one per
  // event; JetStream skips the events of other subjects.
  return RetryRead<ReadResult>([&]() -> absl::StatusOr<ReadResult> {
    ReadResult page;
    page.scanned_through = after_seq;
    jsSubOptions sub_options;
    jsSubOptions_Init(&sub_options);
    sub_options.Stream = options_.stream.c_str();
    sub_options.Config.DeliverPolicy = js_DeliverByStartSequence;
    sub_options.Config.OptStartSeq = std::max(after_seq + 1, state->first_seq);
    sub_options.Config.AckPolicy = js_AckNone;
    sub_options.Config.MemoryStorage = true;
    sub_options.Config.Replicas = 1;
    sub_options.Config.InactiveThreshold =
        absl::ToInt64Nanoseconds(absl::Seconds(30));
    natsSubscription* raw_subscription = nullptr;
    jsErrCode js_error = kNoJsError;
    natsStatus status =
        js_PullSubscribe(&raw_subscription, js_.get(), subject.c_str(), nullptr,
                         nullptr, &sub_options, &js_error);
    if (status != NATS_OK) {
      return NatsError(status,
                       absl::StrCat("event log: reading after seq ", after_seq,
                                    " on ", subject),
                       js_error);
    }
    NatsSubscriptionPtr subscription(raw_subscription);
    // Deletes the ephemeral consumer (or it expires after 30 s idle).
    struct Unsubscribe {
      natsSubscription* subscription;
      ~Unsubscribe() { natsSubscription_Unsubscribe(subscription); }
    } unsubscribe{subscription.get()};
    // A fetch that finds nothing waits for its expiry: ask first whether
    // anything matches at all.
    jsConsumerInfo* raw_info = nullptr;
    status = natsSubscription_GetConsumerInfo(&raw_info, subscription.get(),
                                              nullptr, &js_error);
    JsConsumerInfoPtr info(raw_info);
    if (status != NATS_OK) {
      return NatsError(status,
                       absl::StrCat("event log: reading after seq ", after_seq,
                                    " on ", subject),
                       js_error);
    }
    // Only a pending count of 0 proves that nothing more matches; a fetch
    // that gets nothing while some are pending (a cluster still catching
    // up) ends the page where it is, and the reader comes back.
    bool end = info->NumPending == 0;
    while (!end && page.events.size() < limit) {
      absl::StatusOr<Fetched> fetched = FetchInto(
          subscription.get(),
          std::min<size_t>(limit - page.events.size(), kMaxFetchBatch),
          options_.request_timeout, subject, &page);
      if (!fetched.ok()) {
        return fetched.status();
      }
      if (*fetched == Fetched::kNothing) {
        break;
      }
      end = *fetched == Fetched::kEnd;
    }
    {
      absl::MutexLock lock(&mu_);
      stats_.events_read += page.events.size();
    }
    if (end) {
      // The consumer saw nothing more that matches. Its view may be a
      // replica still catching up after a restart: believe it only if the
      // stream leader's last message on the subject was delivered (or is
      // older than the start). Otherwise the reader comes back later.
      absl::StatusOr<uint64_t> last_match = LastSeqOn(subject);
      if (!last_match.ok()) {
        return last_match.status();
      }
      if (*last_match <= page.scanned_through) {
        // Nothing matched after the last event up to at least the stream's
        // end as read before the consumer was created.
        page.scanned_through = std::max(page.scanned_through, state->last_seq);
      }
    }
    return page;
  });
}

absl::StatusOr<v1::Event> JetStreamEventLog::GetBySeq(uint64_t seq) {
  if (seq == 0) {
    return absl::NotFoundError("event seq 0 not found");
  }
  absl::StatusOr<std::string> payload = GetPayload(options_.stream, seq);
  if (absl::IsNotFound(payload.status())) {
    return absl::NotFoundError(absl::StrCat("event seq ", seq, " not found"));
  }
  if (!payload.ok()) {
    return payload.status();
  }
  return ParseEvent(*payload, seq);
}

absl::StatusOr<std::optional<uint64_t>> JetStreamEventLog::FindIdentity(
    const v1::Event& event, uint64_t* earlier) {
  absl::StatusOr<std::optional<uint64_t>> known =
      LookupSeq(IdentityKey(event.type(), event.id()));
  if (!known.ok()) {
    return known.status();
  }
  if (known->has_value()) {
    if (event.id_rule() != v1::ID_RULE_CONTENT_HASH) {
      return known;
    }
    // Same body again: a retry within the window, else a new event.
    absl::StatusOr<v1::Event> stored = GetBySeq(**known);
    if (!stored.ok() && !absl::IsNotFound(stored.status())) {
      return stored.status();
    }
    const absl::Time oldest = options_.now() - options_.content_hash_window;
    if (stored.ok() && absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(
                           stored->received_at())) >= oldest) {
      return known;
    }
    *earlier = **known;
    return std::nullopt;
  }
  // Events stored before identity was (type, id) have only the id-alone
  // key; one of those with the same type and id is the same event.
  const uint64_t type_id_from = type_id_from_.load();
  if (type_id_from <= 1) {
    return std::nullopt;
  }
  absl::StatusOr<std::optional<uint64_t>> legacy =
      LookupSeq(Key("id", event.id()));
  if (!legacy.ok()) {
    return legacy.status();
  }
  if (!legacy->has_value() || **legacy >= type_id_from) {
    return std::nullopt;
  }
  absl::StatusOr<v1::Event> stored = GetBySeq(**legacy);
  if (absl::IsNotFound(stored.status())) {
    return std::nullopt;
  }
  if (!stored.ok()) {
    return stored.status();
  }
  if (stored->id_rule() != v1::ID_RULE_UNSPECIFIED) {
    return std::nullopt;
  }
  // The id-alone key is about to name this event's seq (RecordIds): give the
  // old event its (type, id) key first, or GetById(type, id) would lose it.
  // Create-if-absent, so a concurrent writer's key stands.
  uint64_t revision = 0;
  const natsStatus backfill = kvStore_CreateString(
      &revision, ids_.get(), IdentityKey(stored->type(), stored->id()).c_str(),
      absl::StrCat(**legacy).c_str());
  if (backfill != NATS_OK && backfill != NATS_ERR) {
    return NatsError(backfill, "event log: keying an event of the old rule");
  }
  if (stored->type() == event.type()) {
    return legacy;
  }
  return std::nullopt;
}

absl::StatusOr<v1::Event> JetStreamEventLog::GetById(absl::string_view type,
                                                     absl::string_view id) {
  absl::StatusOr<std::optional<uint64_t>> seq =
      LookupSeq(type.empty() ? Key("id", id) : IdentityKey(type, id));
  // An event stored before identity was (type, id) has only the id key.
  const bool legacy = seq.ok() && !seq->has_value() && !type.empty() &&
                      type_id_from_.load() > 1;
  if (legacy) {
    seq = LookupSeq(Key("id", id));
  }
  if (!seq.ok()) {
    return seq.status();
  }
  const absl::Status not_found =
      absl::NotFoundError(absl::StrCat("event id \"", id, "\" not found"));
  if (!seq->has_value()) {
    return not_found;
  }
  absl::StatusOr<v1::Event> event = GetBySeq(**seq);
  if (absl::IsNotFound(event.status()) ||
      (legacy && event.ok() && event->type() != type)) {
    return not_found;
  }
  return event;
}

uint64_t JetStreamEventLog::LastSeq() { return fed_seq_.load(); }

absl::StatusOr<uint64_t> JetStreamEventLog::FirstSeq() {
  absl::StatusOr<StreamState> state = GetStreamState(options_.stream);
  if (!state.ok()) {
    return state.status();
  }
  return state->messages == 0 ? state->last_seq + 1 : state->first_seq;
}

absl::StatusOr<uint64_t> JetStreamEventLog::SeqBefore(absl::Time time) {
  absl::StatusOr<StreamState> state = GetStreamState(options_.stream);
  if (!state.ok()) {
    return state.status();
  }
  const int64_t time_ns = absl::ToUnixNanos(time);
  if (state->messages == 0 || time_ns > state->last_time_ns) {
    return state->last_seq;
  }
  if (time_ns <= state->first_time_ns) {
    return state->first_seq - 1;
  }
  // The first message stored at or after `time`, by binary search over the
  // storage times (they grow with seq). A consumer with DeliverByStartTime
  // would be one request, but nats-server 2.9 sometimes starts it past the
  // end for a time between two messages (a flaky test showed it).
  uint64_t low = state->first_seq;
  uint64_t high = state->last_seq;
  while (low < high) {
    const uint64_t mid = low + (high - low) / 2;
    absl::StatusOr<std::pair<uint64_t, int64_t>> stored = StoredAt(mid, high);
    if (!stored.ok() && !absl::IsNotFound(stored.status())) {
      return stored.status();
    }
    // Deleted seqs count with the next stored message: ReadAfter skips
    // them anyway.
    if (!stored.ok() || stored->second >= time_ns) {
      high = mid;
    } else {
      low = stored->first + 1;
    }
  }
  return low - 1;
}

absl::StatusOr<std::pair<uint64_t, int64_t>> JetStreamEventLog::StoredAt(
    uint64_t seq, uint64_t last) {
  for (; seq <= last; ++seq) {
    absl::StatusOr<std::pair<uint64_t, int64_t>> stored =
        RetryRead<std::pair<uint64_t, int64_t>>(
            [&]() -> absl::StatusOr<std::pair<uint64_t, int64_t>> {
              natsMsg* raw = nullptr;
              jsErrCode js_error = kNoJsError;
              const natsStatus status =
                  js_GetMsg(&raw, js_.get(), options_.stream.c_str(), seq,
                            nullptr, &js_error);
              NatsMsgPtr message(raw);
              if (status != NATS_OK) {
                return NatsError(status,
                                 absl::StrCat("event log: reading seq ", seq),
                                 js_error);
              }
              return std::make_pair(seq, natsMsg_GetTime(message.get()));
            });
    if (!absl::IsNotFound(stored.status())) {
      return stored;
    }
  }
  return absl::NotFoundError("event log: no message left in the range");
}

absl::StatusOr<uint64_t> JetStreamEventLog::Quarantine(
    v1::QuarantinedEvent entry) {
  if (!entry.has_quarantined_at()) {
    *entry.mutable_quarantined_at() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(options_.now()));
  }
  entry.clear_quarantine_id();
  entry.clear_reprocessed_seq();
  const std::string payload = entry.SerializeAsString();
  jsPubOptions pub_options;
  jsPubOptions_Init(&pub_options);
  pub_options.ExpectStream = quarantine_stream_.c_str();
  jsPubAck* raw_ack = nullptr;
  jsErrCode js_error = kNoJsError;
  const natsStatus status = js_Publish(
      &raw_ack, js_.get(), quarantine_subject_.c_str(), payload.data(),
      static_cast<int>(payload.size()), &pub_options, &js_error);
  JsPubAckPtr ack(raw_ack);
  if (status != NATS_OK) {
    return NatsError(status, "event log: quarantining an event", js_error);
  }
  return ack->Sequence;
}

absl::StatusOr<v1::QuarantinedEvent> JetStreamEventLog::ParseQuarantined(
    uint64_t id, const std::string& payload) {
  v1::QuarantinedEvent entry;
  if (!entry.ParseFromString(payload)) {
    return absl::DataLossError(
        absl::StrCat("event log: quarantine entry ", id, " does not parse"));
  }
  entry.set_quarantine_id(id);
  const std::string key = absl::StrCat("reprocessed.", id);
  kvEntry* raw = nullptr;
  const natsStatus status = kvStore_Get(&raw, state_.get(), key.c_str());
  KvEntryPtr marked(raw);
  if (status == NATS_OK) {
    absl::StatusOr<uint64_t> seq =
        ParseSeq(kvEntry_ValueString(marked.get()), key);
    if (!seq.ok()) {
      return seq.status();
    }
    entry.set_reprocessed_seq(*seq);
  } else if (status != NATS_NOT_FOUND) {
    return NatsError(status, absl::StrCat("event log: reading key ", key));
  }
  return entry;
}

absl::StatusOr<std::vector<v1::QuarantinedEvent>>
JetStreamEventLog::ListQuarantined(uint64_t after_id, size_t limit) {
  std::vector<v1::QuarantinedEvent> entries;
  if (limit == 0) {
    return entries;
  }
  absl::StatusOr<StreamState> state = GetStreamState(quarantine_stream_);
  if (!state.ok()) {
    return state.status();
  }
  for (uint64_t id = std::max(after_id + 1, state->first_seq);
       id <= state->last_seq && entries.size() < limit; ++id) {
    absl::StatusOr<std::string> payload = GetPayload(quarantine_stream_, id);
    if (absl::IsNotFound(payload.status())) {
      continue;
    }
    if (!payload.ok()) {
      return payload.status();
    }
    absl::StatusOr<v1::QuarantinedEvent> entry = ParseQuarantined(id, *payload);
    if (!entry.ok()) {
      return entry.status();
    }
    entries.push_back(*std::move(entry));
  }
  return entries;
}

absl::StatusOr<v1::QuarantinedEvent> JetStreamEventLog::GetQuarantined(
    uint64_t id) {
  absl::StatusOr<std::string> payload =
      id == 0 ? absl::NotFoundError("id 0")
              : GetPayload(quarantine_stream_, id);
  if (absl::IsNotFound(payload.status())) {
    return absl::NotFoundError(
        absl::StrCat("quarantine entry ", id, " not found"));
  }
  if (!payload.ok()) {
    return payload.status();
  }
  return ParseQuarantined(id, *payload);
}

absl::Status JetStreamEventLog::MarkReprocessed(uint64_t id, uint64_t seq) {
  absl::StatusOr<v1::QuarantinedEvent> entry = GetQuarantined(id);
  if (!entry.ok()) {
    return entry.status();
  }
  const std::string key = absl::StrCat("reprocessed.", id);
  uint64_t revision = 0;
  return NatsError(kvStore_PutString(&revision, state_.get(), key.c_str(),
                                     absl::StrCat(seq).c_str()),
                   absl::StrCat("event log: writing key ", key));
}

absl::StatusOr<uint64_t> JetStreamEventLog::GetCursor(absl::string_view name) {
  const std::string key = Key("cursor", name);
  kvEntry* raw = nullptr;
  const natsStatus status = kvStore_Get(&raw, state_.get(), key.c_str());
  KvEntryPtr entry(raw);
  if (status == NATS_NOT_FOUND) {
    return absl::NotFoundError(absl::StrCat("cursor \"", name, "\" not found"));
  }
  if (status != NATS_OK) {
    return NatsError(status, absl::StrCat("event log: reading key ", key));
  }
  return ParseSeq(kvEntry_ValueString(entry.get()), key);
}

absl::Status JetStreamEventLog::SetCursor(absl::string_view name,
                                          uint64_t seq) {
  if (name.empty()) {
    return absl::InvalidArgumentError("cursor name: must not be empty");
  }
  const std::string key = Key("cursor", name);
  uint64_t revision = 0;
  return NatsError(kvStore_PutString(&revision, state_.get(), key.c_str(),
                                     absl::StrCat(seq).c_str()),
                   absl::StrCat("event log: writing key ", key));
}

JetStreamEventLog::Stats JetStreamEventLog::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace vouchstream::store

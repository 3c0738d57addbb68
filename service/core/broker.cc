#include "service/core/broker.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vouchstream::core {
namespace {

absl::Status ShutdownError() {
  return absl::UnavailableError(
      "server is shutting down: resume after the last seq received");
}

}  // namespace

// --- Subscription -----------------------------------------------------------

Subscription::Subscription(Broker* broker, StartPosition start,
                           EventFilter filter, absl::Duration heartbeat,
                           ReadyCallback ready)
    : broker_(broker),
      start_(start),
      filter_(std::move(filter)),
      heartbeat_(heartbeat),
      last_push_(absl::Now()),
      ready_(std::move(ready)) {}

absl::StatusOr<std::optional<Delivery>> Subscription::Next() {
  Delivery delivery;
  bool schedule = false;
  {
    absl::MutexLock lock(&mu_);
    if (mode_ == Mode::kEnded) {
      return end_;
    }
    if (buffer_.empty()) {
      waiting_ = true;
      return std::nullopt;
    }
    delivery = std::move(buffer_.front().delivery);
    buffer_bytes_ -= buffer_.front().bytes;
    buffer_.pop_front();
    // Refill only once half the buffer is free, so that a slow reader costs
    // one log read per half buffer rather than one per delivery.
    const Broker::Options& options = broker_->options_;
    if (mode_ == Mode::kCatchUp && !reading_ &&
        buffer_.size() <= options.buffer_events / 2 &&
        buffer_bytes_ <= options.buffer_bytes / 2) {
      reading_ = true;
      schedule = true;
    }
  }
  if (schedule) {
    broker_->ScheduleRead(shared_from_this());
  }
  return delivery;
}

void Subscription::Cancel() {
  {
    // Waits for a running `ready_` to return.
    absl::MutexLock lock(&ready_mu_);
    ready_ = nullptr;
  }
  {
    absl::MutexLock lock(&mu_);
    EndLocked(absl::CancelledError("subscription cancelled"));
  }
  broker_->Remove(this);
}

void Subscription::PushLocked(Delivery delivery, size_t bytes) {
  buffer_.push_back(Item{std::move(delivery), bytes});
  buffer_bytes_ += bytes;
  last_push_ = absl::Now();
}

bool Subscription::FullLocked() const {
  const Broker::Options& options = broker_->options_;
  return buffer_.size() >= options.buffer_events ||
         buffer_bytes_ >= options.buffer_bytes;
}

bool Subscription::TakeWaiterLocked() {
  if (!waiting_ || (buffer_.empty() && mode_ != Mode::kEnded)) {
    return false;
  }
  waiting_ = false;
  return true;
}

bool Subscription::EndLocked(absl::Status status) {
  if (mode_ == Mode::kEnded) {
    return false;
  }
  mode_ = Mode::kEnded;
  end_ = std::move(status);
  buffer_.clear();
  buffer_bytes_ = 0;
  return TakeWaiterLocked();
}

void Subscription::Notify() {
  absl::MutexLock lock(&ready_mu_);
  if (ready_) {
    ready_();
  }
}

// --- Broker -----------------------------------------------------------------

Broker::Broker(EventLog* log, const Options& options)
    : log_(log), options_(options), live_(std::make_shared<const LiveSet>()) {
  log_->SetCommitListener(
      [this](const std::vector<v1::Event>& committed) { OnCommit(committed); });
}

Broker::~Broker() { Shutdown(); }

void Broker::Start() {
  const uint64_t last_seq = log_->LastSeq();
  {
    absl::MutexLock lock(&mu_);
    if (started_ || shutdown_) {
      return;
    }
    started_ = true;
    last_seq_ = std::max(last_seq_, last_seq);
  }
  absl::MutexLock lock(&threads_mu_);
  dispatcher_ = std::thread([this] { DispatchLoop(); });
  for (int i = 0; i < std::max(1, options_.reader_threads); ++i) {
    readers_.emplace_back([this] { ReaderLoop(); });
  }
}

std::shared_ptr<Subscription> Broker::Subscribe(
    SubscribeOptions options, Subscription::ReadyCallback ready) {
  std::shared_ptr<Subscription> sub(
      new Subscription(this, options.start, std::move(options.filter),
                       options.heartbeat, std::move(ready)));
  // Read before taking mu_: the log is never called under a broker lock.
  const uint64_t log_last_seq = log_->LastSeq();
  absl::MutexLock lock(&mu_);
  absl::MutexLock sub_lock(&sub->mu_);
  if (shutdown_) {
    sub->EndLocked(ShutdownError());
    return sub;
  }
  if (options.start.kind == StartPosition::Kind::kLatest) {
    // Nothing to resolve: start at the end as of now.
    sub->cursor_ = std::max(last_seq_, log_last_seq);
    sub->mode_ = Subscription::Mode::kCatchUp;
  }
  all_.push_back(sub);
  read_queue_.push_back(sub);
  read_cv_.Signal();
  return sub;
}

void Broker::Shutdown() {
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    absl::MutexLock lock(&mu_);
    shutdown_ = true;
    subs.swap(all_);
    live_ = std::make_shared<const LiveSet>();
    read_queue_.clear();
    batches_.clear();
    read_cv_.SignalAll();
    dispatch_cv_.SignalAll();
  }
  for (const std::shared_ptr<Subscription>& sub : subs) {
    bool notify = false;
    {
      absl::MutexLock lock(&sub->mu_);
      notify = sub->EndLocked(ShutdownError());
    }
    if (notify) {
      sub->Notify();
    }
  }
  absl::MutexLock lock(&threads_mu_);
  if (dispatcher_.joinable()) {
    dispatcher_.join();
  }
  for (std::thread& reader : readers_) {
    reader.join();
  }
  readers_.clear();
}

size_t Broker::subscription_count() const {
  absl::MutexLock lock(&mu_);
  return all_.size();
}

size_t Broker::window_bytes() const {
  absl::MutexLock lock(&mu_);
  return window_bytes_;
}

void Broker::OnCommit(const std::vector<v1::Event>& committed) {
  if (committed.empty()) {
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (shutdown_) {
      return;
    }
    if (all_.empty() && batches_.empty()) {
      // Nobody listens: skip the copies, just move the end of the log. The
      // window would now have a hole: drop it.
      last_seq_ = std::max(last_seq_, committed.back().seq());
      window_.clear();
      window_bytes_ = 0;
      return;
    }
  }
  // This runs on the store's writer thread: copy, size and queue, nothing
  // more. Fan-out is the dispatcher's work.
  Batch batch;
  batch.events.reserve(committed.size());
  batch.bytes.reserve(committed.size());
  for (const v1::Event& event : committed) {
    batch.events.push_back(std::make_shared<const v1::Event>(event));
    batch.bytes.push_back(event.ByteSizeLong());
  }
  absl::MutexLock lock(&mu_);
  if (shutdown_) {
    return;
  }
  batches_.push_back(std::move(batch));
  dispatch_cv_.Signal();
}

void Broker::DispatchLoop() {
  absl::Time next_tick = absl::Now() + options_.tick;
  while (true) {
    Batch batch;
    bool have_batch = false;
    std::shared_ptr<const LiveSet> live;
    {
      absl::MutexLock lock(&mu_);
      while (!shutdown_ && batches_.empty()) {
        if (dispatch_cv_.WaitWithDeadline(&mu_, next_tick)) {
          break;  // Time for heartbeats.
        }
      }
      if (shutdown_) {
        return;
      }
      if (!batches_.empty()) {
        batch = std::move(batches_.front());
        batches_.pop_front();
        // Moving the end of the log and taking the live set in one step is
        // what makes TryGoLive gap-free: a subscription that joins after
        // this sees the new last_seq_ and reads these events from the log.
        last_seq_ = std::max(last_seq_, batch.events.back()->seq());
        AddToWindowLocked(batch);
        live = live_;
        have_batch = true;
      }
    }
    if (have_batch) {
      Dispatch(batch, *live);
    }
    if (absl::Now() >= next_tick) {
      SendHeartbeats();
      next_tick = absl::Now() + options_.tick;
    }
  }
}

void Broker::Dispatch(Batch& batch, const LiveSet& live) {
  if (live.empty()) {
    return;
  }
  for (const std::shared_ptr<Subscription>& sub : live) {
    bool notify = false;
    bool overflow = false;
    {
      absl::MutexLock lock(&sub->mu_);
      if (sub->mode_ != Subscription::Mode::kLive) {
        continue;
      }
      overflow = DeliverLocked(batch, sub.get());
      notify = sub->TakeWaiterLocked();
    }
    if (notify) {
      sub->Notify();
    }
    if (overflow) {
      // Off the live set now; the reader resumes once the consumer has
      // drained half the buffer (see Subscription::Next).
      absl::MutexLock lock(&mu_);
      {
        // Between the overflow and this lock the consumer may have drained
        // the buffer and a reader put the subscription back live
        // (TryGoLive): taking it off the live set then would leave it live
        // with nothing feeding it, silent for good (a slow subscriber's
        // stall seen in CI).
        absl::MutexLock sub_lock(&sub->mu_);
        if (sub->mode_ == Subscription::Mode::kLive) {
          continue;
        }
      }
      LiveSet next;
      next.reserve(live_->size());
      for (const auto& other : *live_) {
        if (other != sub) {
          next.push_back(other);
        }
      }
      SetLiveLocked(std::move(next));
    }
  }
}

bool Broker::DeliverLocked(const Batch& batch, Subscription* sub) {
  for (size_t i = 0; i < batch.events.size(); ++i) {
    const v1::Event& event = *batch.events[i];
    if (event.seq() <= sub->cursor_) {
      continue;
    }
    if (sub->filter_.Matches(event)) {
      if (sub->FullLocked()) {
        // Fall back to the log from the cursor; nothing is dropped.
        sub->mode_ = Subscription::Mode::kCatchUp;
        sub->reading_ = false;
        return true;
      }
      Delivery delivery;
      delivery.event = batch.events[i];
      sub->PushLocked(std::move(delivery), batch.bytes[i]);
    }
    sub->cursor_ = event.seq();
  }
  return false;
}

void Broker::SendHeartbeats() {
  std::vector<std::shared_ptr<Subscription>> subs;
  uint64_t last_seq = 0;
  {
    absl::MutexLock lock(&mu_);
    subs = all_;
    last_seq = last_seq_;
  }
  const absl::Time now = absl::Now();
  for (const std::shared_ptr<Subscription>& sub : subs) {
    bool notify = false;
    {
      absl::MutexLock lock(&sub->mu_);
      if (sub->mode_ == Subscription::Mode::kStarting ||
          sub->mode_ == Subscription::Mode::kEnded || !sub->buffer_.empty() ||
          now - sub->last_push_ < sub->heartbeat_) {
        continue;
      }
      Delivery delivery;
      delivery.kind = Delivery::Kind::kHeartbeat;
      delivery.last_seq = last_seq;
      delivery.server_time = now;
      sub->PushLocked(std::move(delivery), 0);
      notify = sub->TakeWaiterLocked();
    }
    if (notify) {
      sub->Notify();
    }
  }
}

void Broker::ReaderLoop() {
  while (true) {
    std::shared_ptr<Subscription> sub;
    {
      absl::MutexLock lock(&mu_);
      while (!shutdown_ && read_queue_.empty()) {
        read_cv_.Wait(&mu_);
      }
      if (shutdown_) {
        return;
      }
      sub = std::move(read_queue_.front());
      read_queue_.pop_front();
    }
    ReadStep(sub);
  }
}

void Broker::ReadStep(const std::shared_ptr<Subscription>& sub) {
  Subscription::Mode mode;
  {
    absl::MutexLock lock(&sub->mu_);
    mode = sub->mode_;
  }
  if (mode == Subscription::Mode::kEnded) {
    return;
  }
  if (mode == Subscription::Mode::kStarting) {
    absl::StatusOr<uint64_t> cursor = ResolveStart(sub->start_);
    if (!cursor.ok()) {
      End(sub, cursor.status());
      return;
    }
    absl::MutexLock lock(&sub->mu_);
    if (sub->mode_ == Subscription::Mode::kEnded) {
      return;
    }
    sub->cursor_ = *cursor;
    sub->mode_ = Subscription::Mode::kCatchUp;
  }
  uint64_t cursor = 0;
  {
    absl::MutexLock lock(&sub->mu_);
    if (sub->mode_ != Subscription::Mode::kCatchUp) {
      return;
    }
    if (sub->FullLocked()) {
      sub->reading_ = false;  // Next() reschedules once half is drained.
      return;
    }
    cursor = sub->cursor_;
  }
  absl::StatusOr<Page> page = ReadPage(cursor, sub->filter_.types());
  if (!page.ok()) {
    End(sub, absl::UnavailableError(absl::StrCat("reading the log after seq ",
                                                 cursor, ": ",
                                                 page.status().message())));
    return;
  }
  bool notify = false;
  bool full = false;
  {
    absl::MutexLock lock(&sub->mu_);
    if (sub->mode_ != Subscription::Mode::kCatchUp) {
      return;
    }
    for (Shared& shared : page->events) {
      const uint64_t seq = shared.event->seq();
      if (seq <= sub->cursor_) {
        continue;
      }
      if (sub->filter_.Matches(*shared.event)) {
        if (sub->FullLocked()) {
          full = true;
          sub->reading_ = false;
          break;
        }
        Delivery delivery;
        delivery.event = std::move(shared.event);
        sub->PushLocked(std::move(delivery), shared.bytes);
      }
      sub->cursor_ = seq;
    }
    if (!full) {
      // The log looked further than the events it returned.
      sub->cursor_ = std::max(sub->cursor_, page->scanned_through);
    }
    notify = sub->TakeWaiterLocked();
  }
  if (notify) {
    sub->Notify();
  }
  if (full) {
    return;
  }
  if (page->full) {
    // More history: go to the back of the queue, so that one long catch-up
    // does not starve the others.
    absl::MutexLock lock(&mu_);
    if (!shutdown_) {
      read_queue_.push_back(sub);
      read_cv_.Signal();
    }
    return;
  }
  TryGoLive(sub);
}

absl::StatusOr<Broker::Page> Broker::ReadPage(
    uint64_t cursor, const std::vector<std::string>& types) {
  Page page;
  page.scanned_through = cursor;
  {
    absl::MutexLock lock(&mu_);
    // Only a window that reaches the end of what was dispatched may answer:
    // a short page means "caught up" to the caller.
    if (!window_.empty() && window_.front().event->seq() <= cursor + 1 &&
        window_.back().event->seq() == last_seq_) {
      // The window is contiguous: seq `cursor` + 1 sits at this index.
      const uint64_t first = cursor + 1 - window_.front().event->seq();
      for (uint64_t i = first;
           i < window_.size() && page.events.size() < options_.page_size; ++i) {
        page.events.push_back(window_[i]);
      }
      if (!page.events.empty()) {
        page.scanned_through = page.events.back().event->seq();
      }
      page.full = page.events.size() >= options_.page_size;
      return page;
    }
  }
  core::EventLog::ReadRequest request;
  request.after_seq = cursor;
  request.limit = options_.page_size;
  request.types = types;
  absl::StatusOr<core::EventLog::ReadResult> read = log_->ReadMatching(request);
  if (!read.ok()) {
    return read.status();
  }
  page.events.reserve(read->events.size());
  for (v1::Event& event : read->events) {
    const size_t bytes = event.ByteSizeLong();
    page.events.push_back(
        {std::make_shared<const v1::Event>(std::move(event)), bytes});
  }
  page.scanned_through = std::max(cursor, read->scanned_through);
  page.full = page.events.size() >= options_.page_size;
  return page;
}

void Broker::AddToWindowLocked(const Batch& batch) {
  for (size_t i = 0; i < batch.events.size(); ++i) {
    if (!window_.empty() &&
        window_.back().event->seq() + 1 != batch.events[i]->seq()) {
      // ReadPage indexes the window by seq, so it must have no hole: start
      // afresh after one (a store whose listener skips seqs).
      window_.clear();
      window_bytes_ = 0;
    }
    window_.push_back({batch.events[i], batch.bytes[i]});
    window_bytes_ += batch.bytes[i];
  }
  while (window_bytes_ > options_.window_bytes && !window_.empty()) {
    window_bytes_ -= window_.front().bytes;
    window_.pop_front();
  }
}

absl::StatusOr<uint64_t> Broker::ResolveStart(const StartPosition& start) {
  absl::StatusOr<uint64_t> first = log_->FirstSeq();
  if (!first.ok()) {
    return absl::UnavailableError(
        absl::StrCat("reading the oldest seq: ", first.status().message()));
  }
  switch (start.kind) {
    case StartPosition::Kind::kEarliest:
      return *first - 1;
    case StartPosition::Kind::kLatest:
      return log_->LastSeq();
    case StartPosition::Kind::kAfterSeq:
      if (start.seq + 1 < *first) {
        return absl::OutOfRangeError(
            absl::StrCat("after_seq ", start.seq,
                         " is behind retention: the oldest seq is ", *first));
      }
      return start.seq;
    case StartPosition::Kind::kAtTime: {
      absl::StatusOr<uint64_t> before = log_->SeqBefore(start.time);
      if (!before.ok()) {
        return absl::UnavailableError(absl::StrCat("finding the start time: ",
                                                   before.status().message()));
      }
      // Events at or after the time may have been deleted.
      if (*before + 1 < *first) {
        return absl::OutOfRangeError(
            absl::StrCat("at_time ", absl::FormatTime(start.time),
                         " is behind retention: the oldest seq is ", *first));
      }
      return *before;
    }
  }
  return absl::InternalError("unknown start kind");
}

void Broker::TryGoLive(const std::shared_ptr<Subscription>& sub) {
  bool notify = false;
  {
    absl::MutexLock lock(&mu_);
    if (shutdown_) {
      return;
    }
    absl::MutexLock sub_lock(&sub->mu_);
    if (sub->mode_ != Subscription::Mode::kCatchUp) {
      return;
    }
    if (sub->cursor_ < last_seq_) {
      // Commits landed while we read: read again.
      read_queue_.push_back(sub);
      read_cv_.Signal();
      return;
    }
    sub->mode_ = Subscription::Mode::kLive;
    sub->reading_ = false;
    // It may still be on the live set: a dispatch that overflowed it has not
    // taken it off yet (and now will not, see Dispatch).
    if (std::find(live_->begin(), live_->end(), sub) == live_->end()) {
      LiveSet next = *live_;
      next.push_back(sub);
      SetLiveLocked(std::move(next));
    }
    if (!sub->caught_up_sent_) {
      sub->caught_up_sent_ = true;
      Delivery delivery;
      delivery.kind = Delivery::Kind::kCaughtUp;
      delivery.last_seq = std::max(sub->cursor_, last_seq_);
      // The marker may exceed the bound by one: it is tiny and sent once.
      sub->PushLocked(std::move(delivery), 0);
    }
    notify = sub->TakeWaiterLocked();
  }
  if (notify) {
    sub->Notify();
  }
}

void Broker::ScheduleRead(std::shared_ptr<Subscription> sub) {
  absl::MutexLock lock(&mu_);
  if (shutdown_) {
    return;
  }
  read_queue_.push_back(std::move(sub));
  read_cv_.Signal();
}

void Broker::End(const std::shared_ptr<Subscription>& sub,
                 absl::Status status) {
  bool notify = false;
  {
    absl::MutexLock lock(&sub->mu_);
    notify = sub->EndLocked(std::move(status));
  }
  Remove(sub.get());
  if (notify) {
    sub->Notify();
  }
}

void Broker::Remove(const Subscription* sub) {
  absl::MutexLock lock(&mu_);
  all_.erase(std::remove_if(all_.begin(), all_.end(),
                            [&](const auto& s) { return s.get() == sub; }),
             all_.end());
  const bool is_live =
      std::any_of(live_->begin(), live_->end(),
                  [&](const auto& s) { return s.get() == sub; });
  if (is_live) {
    LiveSet next;
    for (const auto& s : *live_) {
      if (s.get() != sub) {
        next.push_back(s);
      }
    }
    SetLiveLocked(std::move(next));
  }
}

void Broker::SetLiveLocked(LiveSet live) {
  live_ = std::make_shared<const LiveSet>(std::move(live));
}

}  // namespace vouchstream::core

#include "gateway/upstream/forwarder.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <utility>

#include "absl/time/clock.h"

namespace vouchstream::gateway {
namespace {

// Whether a stream that ended with `status` was lost rather than refused:
// the service went away or closed it (draining), or the stream broke under
// us. Sending its requests again on a new stream may succeed.
bool IsLostStream(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::ABORTED:
      return true;
    default:
      return false;
  }
}

}  // namespace

// One PublishStream call. Writes come from outside the reactions (any
// `Send`), so the call carries a hold from StartCall until it knows no more
// writes will be started: the stream is closing and no write is pending.
//
// The queue holds weak references: the forwarder's pending map owns each
// request until it is acked or abandoned, so an abandoned request is freed
// at once and skipped here, even while the stream waits for the channel.
class Forwarder::Call final
    : public grpc::ClientBidiReactor<v1::PublishStreamRequest,
                                     v1::PublishStreamResponse> {
 public:
  // `initial` goes out first, in order. Waits for the channel to be ready
  // instead of failing while the service is away: the requests' own
  // deadlines bound the wait.
  Call(Forwarder* owner, const std::vector<Request>& initial)
      : owner_(owner), queue_(initial.begin(), initial.end()) {
    context_.set_wait_for_ready(true);
  }

  // `self` is this call; it keeps itself alive until OnDone.
  void Start(v1::EventService::Stub* stub, std::shared_ptr<Call> self) {
    self_ = std::move(self);
    stub->async()->PublishStream(&context_, this);
    AddHold();
    StartRead(&response_);
    const v1::PublishStreamRequest* first = nullptr;
    {
      absl::MutexLock lock(&mu_);
      started_ = true;
      first = TakeNextLocked();
    }
    if (first != nullptr) {
      StartWrite(first);
    }
    StartCall();
  }

  // Queues a request; dropped when the stream is closing (the forwarder
  // then sends it again on another stream once this one is done).
  void Enqueue(const Request& request) {
    const v1::PublishStreamRequest* next = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (closing_) {
        return;
      }
      queue_.emplace_back(request);
      PruneLocked();
      if (started_) {
        next = TakeNextLocked();
      }
    }
    if (next != nullptr) {
      StartWrite(next);
    }
  }

  void Cancel() { context_.TryCancel(); }

  // grpc::ClientBidiReactor
  void OnWriteDone(bool ok) override {
    const v1::PublishStreamRequest* next = nullptr;
    bool remove_hold = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) {
        closing_ = true;
      }
      next = TakeNextLocked();
      remove_hold = ShouldRemoveHoldLocked();
    }
    if (next != nullptr) {
      StartWrite(next);
    }
    if (remove_hold) {
      RemoveHold();
    }
    if (!ok) {
      // The stream is broken; make sure the server side ends too.
      context_.TryCancel();
    }
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      bool remove_hold = false;
      {
        absl::MutexLock lock(&mu_);
        closing_ = true;
        remove_hold = ShouldRemoveHoldLocked();
      }
      if (remove_hold) {
        RemoveHold();
      }
      return;
    }
    answered_ = true;  // Only reactions touch it; they do not overlap.
    owner_->OnAck(std::move(response_));
    response_.Clear();
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    owner_->OnCallDone(this, status, answered_);
    self_.reset();  // May delete this; nothing may follow.
  }

 private:
  // Skips requests abandoned (or acked on an earlier stream) meanwhile.
  const v1::PublishStreamRequest* TakeNextLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || closing_) {
      return nullptr;
    }
    while (!queue_.empty()) {
      Request request = queue_.front().lock();
      queue_.pop_front();
      if (request != nullptr) {
        in_write_ = std::move(request);
        writing_ = true;
        return in_write_.get();
      }
    }
    return nullptr;
  }

  // While the stream waits for the channel, abandoned requests leave
  // expired entries behind; dropping them whenever the queue has doubled
  // keeps it as long as what is still wanted, at amortized O(1) a request.
  void PruneLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    constexpr size_t kMinPruneAt = 64;
    if (queue_.size() < prune_at_) {
      return;
    }
    queue_.erase(
        std::remove_if(
            queue_.begin(), queue_.end(),
            [](const std::weak_ptr<const v1::PublishStreamRequest>& entry) {
              return entry.expired();
            }),
        queue_.end());
    prune_at_ = std::max(kMinPruneAt, 2 * queue_.size());
  }

  bool ShouldRemoveHoldLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (closing_ && !writing_ && !hold_removed_) {
      hold_removed_ = true;
      queue_.clear();
      return true;
    }
    return false;
  }

  Forwarder* const owner_;
  std::shared_ptr<Call> self_;
  grpc::ClientContext context_;
  v1::PublishStreamResponse response_;
  bool answered_ = false;

  absl::Mutex mu_;
  std::deque<std::weak_ptr<const v1::PublishStreamRequest>> queue_
      ABSL_GUARDED_BY(mu_);
  size_t prune_at_ ABSL_GUARDED_BY(mu_) = 64;
  // The one write in flight; stays alive until OnWriteDone.
  Request in_write_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool hold_removed_ ABSL_GUARDED_BY(mu_) = false;
};

Forwarder::Forwarder(std::shared_ptr<grpc::Channel> channel,
                     const Options& options)
    : options_(options),
      stub_(v1::EventService::NewStub(std::move(channel))),
      slots_(static_cast<size_t>(options.streams > 0 ? options.streams : 1)) {}

Forwarder::~Forwarder() {
  absl::MutexLock lock(&mu_);
  // Shutdown() must have run: a live call or timer would call back into
  // freed memory.
  if (live_calls_ != 0 || live_alarms_ != 0) {
    std::abort();
  }
}

uint64_t Forwarder::Send(v1::Event event, Done done) {
  const uint64_t id = next_request_id_.fetch_add(1, std::memory_order_relaxed);
  // Allocated apart from its shared_ptr's control block (not make_shared),
  // so that the weak references in a stream's queue do not keep an
  // abandoned event's memory.
  auto built = std::make_unique<v1::PublishStreamRequest>();
  built->set_request_id(id);
  *built->mutable_event() = std::move(event);
  Request request(std::move(built));
  Dispatch dispatch;
  {
    absl::ReleasableMutexLock lock(&mu_);
    if (shutting_down_) {
      // Never call out while holding the lock.
      lock.Release();
      done(Outcome{grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                "the gateway is shutting down"),
                   {}});
      return id;
    }
    const absl::Time now = absl::Now();
    const size_t index = ChooseSlotLocked(now);
    pending_.emplace(id, Pending{std::move(done), std::move(request), nullptr});
    slots_[index].waiting.push_back(id);
    dispatch = DispatchLocked(index, now);
  }
  Run(std::move(dispatch));
  return id;
}

size_t Forwarder::ChooseSlotLocked(absl::Time now) {
  const size_t count = slots_.size();
  const size_t first =
      next_slot_.fetch_add(1, std::memory_order_relaxed) % count;
  const Slot& preferred = slots_[first];
  if (preferred.call != nullptr || now >= preferred.retry_after) {
    return first;
  }
  // The round-robin slot is backing off: an open stream elsewhere is
  // better than waiting for it.
  for (size_t i = 1; i < count; ++i) {
    const size_t other = (first + i) % count;
    if (slots_[other].call != nullptr) {
      return other;
    }
  }
  return first;
}

Forwarder::Dispatch Forwarder::DispatchLocked(size_t index, absl::Time now) {
  Slot& slot = slots_[index];
  Dispatch dispatch;
  dispatch.slot = index;
  std::vector<Request> requests;
  std::vector<Pending*> handed;  // No insertion or erasure until used.
  requests.reserve(slot.waiting.size());
  handed.reserve(slot.waiting.size());
  for (const uint64_t id : slot.waiting) {
    const auto it = pending_.find(id);
    if (it != pending_.end()) {  // Else acked or abandoned meanwhile.
      requests.push_back(it->second.request);
      handed.push_back(&it->second);
    }
  }
  if (requests.empty()) {
    slot.waiting.clear();
    return dispatch;
  }
  if (slot.call == nullptr && now < slot.retry_after) {
    if (!slot.reopen_scheduled) {
      slot.reopen_scheduled = true;
      slot.alarm = std::make_unique<grpc::Alarm>();
      ++live_alarms_;
      dispatch.alarm = slot.alarm.get();
      dispatch.alarm_at = slot.retry_after;
    }
    return dispatch;
  }
  slot.waiting.clear();
  if (slot.call == nullptr) {
    // Nobody sees the call before it is in the slot, so its queue is
    // filled here and goes out before anything enqueued later.
    slot.call = std::make_shared<Call>(this, requests);
    ++live_calls_;
    dispatch.start = true;
  } else {
    dispatch.requests = std::move(requests);
  }
  dispatch.call = slot.call;
  for (Pending* pending : handed) {
    pending->call = slot.call.get();
  }
  return dispatch;
}

void Forwarder::Run(Dispatch dispatch) {
  if (dispatch.alarm != nullptr) {
    const size_t index = dispatch.slot;
    dispatch.alarm->Set(
        absl::ToChronoTime(dispatch.alarm_at),
        [this, index](bool /*fired*/) { OnReopenAlarm(index); });
  }
  if (dispatch.call == nullptr) {
    return;
  }
  if (dispatch.start) {
    Call* const call = dispatch.call.get();
    call->Start(stub_.get(), std::move(dispatch.call));
    return;
  }
  for (const Request& request : dispatch.requests) {
    dispatch.call->Enqueue(request);
  }
}

void Forwarder::OnReopenAlarm(size_t index) {
  Dispatch dispatch;
  {
    absl::MutexLock lock(&mu_);
    Slot& slot = slots_[index];
    slot.reopen_scheduled = false;
    // The backoff is served (the timer may fire a hair before `retry_after`
    // by absl's clock).
    slot.retry_after = absl::InfinitePast();
    if (!shutting_down_) {
      dispatch = DispatchLocked(index, absl::Now());
    }
  }
  Run(std::move(dispatch));
  absl::MutexLock lock(&mu_);
  --live_alarms_;
}

void Forwarder::Abandon(uint64_t request_id) {
  Pending abandoned;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(request_id);
    if (it == pending_.end()) {
      return;
    }
    // Destroyed outside the lock: `done` may own the caller's last
    // reference. Its slot's `waiting` may still name it; it is skipped.
    abandoned = std::move(it->second);
    pending_.erase(it);
  }
}

void Forwarder::OnAck(v1::PublishStreamResponse ack) {
  Pending acked;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(ack.request_id());
    if (it == pending_.end()) {
      return;  // Abandoned: the caller answered already.
    }
    acked = std::move(it->second);
    pending_.erase(it);
  }
  acked.done(Outcome{grpc::Status::OK, std::move(ack)});
}

void Forwarder::OnCallDone(Call* call, const grpc::Status& status,
                           bool answered) {
  std::vector<Done> failed;
  std::shared_ptr<Call> slot_ref;  // Released outside the lock.
  Dispatch dispatch;
  {
    absl::MutexLock lock(&mu_);
    const auto slot = std::find_if(
        slots_.begin(), slots_.end(),
        [call](const Slot& candidate) { return candidate.call.get() == call; });
    if (slot == slots_.end()) {
      std::abort();  // A call holds its slot until here.
    }
    slot_ref = std::move(slot->call);
    slot->call = nullptr;
    const bool resend = !shutting_down_ && IsLostStream(status);
    // In id order (the map's), ahead of anything that waits already.
    std::vector<uint64_t> lost;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.call != call) {
        ++it;
      } else if (resend) {
        it->second.call = nullptr;
        lost.push_back(it->first);
        ++it;
      } else {
        failed.push_back(std::move(it->second.done));
        it = pending_.erase(it);
      }
    }
    if (resend) {
      const absl::Time now = absl::Now();
      // A stream that answered was fine until the service let it go: the
      // replacement waits for the channel instead. One that answered
      // nothing may be refused again at once: back off.
      slot->retry_after =
          answered ? absl::InfinitePast() : now + options_.reconnect_backoff;
      lost.insert(lost.end(), slot->waiting.begin(), slot->waiting.end());
      std::sort(lost.begin(), lost.end());
      slot->waiting = std::move(lost);
      dispatch = DispatchLocked(
          static_cast<size_t>(std::distance(slots_.begin(), slot)), now);
    }
  }
  Run(std::move(dispatch));
  const grpc::Status reported =
      status.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "the service closed the stream")
                  : status;
  for (Done& done : failed) {
    done(Outcome{reported, {}});
  }
  absl::MutexLock lock(&mu_);
  --live_calls_;
}

void Forwarder::Shutdown() {
  std::vector<std::shared_ptr<Call>> calls;
  std::vector<Done> waiting;
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    for (Slot& slot : slots_) {
      if (slot.call != nullptr) {
        calls.push_back(slot.call);
      }
      slot.waiting.clear();
    }
    // Requests on no stream; those on a stream fail in its OnCallDone.
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.call == nullptr) {
        waiting.push_back(std::move(it->second.done));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const std::shared_ptr<Call>& call : calls) {
    call->Cancel();
  }
  calls.clear();
  for (Done& done : waiting) {
    done(Outcome{grpc::Status(grpc::StatusCode::CANCELLED,
                              "the gateway is shutting down"),
                 {}});
  }
  // A reopen timer is not cancelled (it may be being set on another thread
  // right now); it fires within `reconnect_backoff` and finds us shutting
  // down.
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &Forwarder::IdleLocked));
}

bool Forwarder::IdleLocked() const {
  return live_calls_ == 0 && live_alarms_ == 0;
}

}  // namespace vouchstream::gateway

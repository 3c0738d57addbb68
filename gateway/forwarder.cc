#include "gateway/forwarder.h"

#include <deque>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vouchstream::gateway {

// One PublishStream call. Writes come from outside the reactions (any
// `Send`), so the call carries a hold from StartCall until it knows no more
// writes will be started: the stream is closing and no write is pending.
class Forwarder::Call final
    : public grpc::ClientBidiReactor<v1::PublishStreamRequest,
                                     v1::PublishStreamResponse> {
 public:
  explicit Call(Forwarder* owner) : owner_(owner) {}

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

  // Queues a request; dropped when the stream is closing (its waiter is
  // then failed by OnDone).
  void Enqueue(v1::PublishStreamRequest request) {
    const v1::PublishStreamRequest* next = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (closing_) {
        return;
      }
      queue_.push_back(std::move(request));
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
    owner_->OnAck(std::move(response_));
    response_.Clear();
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    owner_->OnCallDone(this, status);
    self_.reset();  // May delete this; nothing may follow.
  }

 private:
  const v1::PublishStreamRequest* TakeNextLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || closing_ || queue_.empty()) {
      return nullptr;
    }
    in_write_ = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    return &in_write_;
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

  absl::Mutex mu_;
  std::deque<v1::PublishStreamRequest> queue_ ABSL_GUARDED_BY(mu_);
  // The one write in flight; stays alive until OnWriteDone.
  v1::PublishStreamRequest in_write_ ABSL_GUARDED_BY(mu_);
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
  // Shutdown() must have run: a live call would call back into freed memory.
  if (live_calls_ != 0) {
    std::abort();
  }
}

uint64_t Forwarder::Send(v1::Event event, Done done) {
  const uint64_t id = next_request_id_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<Call> call;
  bool start = false;
  {
    absl::ReleasableMutexLock lock(&mu_);
    grpc::Status failure;
    if (shutting_down_) {
      failure = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "the gateway is shutting down");
    } else {
      Slot& slot = slots_[next_slot_.fetch_add(1, std::memory_order_relaxed) %
                          slots_.size()];
      if (slot.call == nullptr) {
        if (absl::Now() < slot.retry_after) {
          failure =
              grpc::Status(grpc::StatusCode::UNAVAILABLE,
                           "the stream to the service failed; reconnecting");
        } else {
          slot.call = std::make_shared<Call>(this);
          ++live_calls_;
          start = true;
        }
      }
      call = slot.call;
    }
    if (!failure.ok()) {
      // Never call out while holding the lock.
      lock.Release();
      done(Outcome{std::move(failure), {}});
      return id;
    }
    pending_.emplace(id, Pending{std::move(done), call.get()});
  }
  if (start) {
    call->Start(stub_.get(), call);
  }
  v1::PublishStreamRequest request;
  request.set_request_id(id);
  *request.mutable_event() = std::move(event);
  call->Enqueue(std::move(request));
  return id;
}

void Forwarder::Abandon(uint64_t request_id) {
  Done done;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(request_id);
    if (it == pending_.end()) {
      return;
    }
    // Destroyed outside the lock: it may own the caller's last reference.
    done = std::move(it->second.done);
    pending_.erase(it);
  }
}

void Forwarder::OnAck(v1::PublishStreamResponse ack) {
  Done done;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(ack.request_id());
    if (it == pending_.end()) {
      return;  // Abandoned: the caller answered already.
    }
    done = std::move(it->second.done);
    pending_.erase(it);
  }
  done(Outcome{grpc::Status::OK, std::move(ack)});
}

void Forwarder::OnCallDone(Call* call, const grpc::Status& status) {
  std::vector<Done> failed;
  std::shared_ptr<Call> slot_ref;  // Released outside the lock.
  {
    absl::MutexLock lock(&mu_);
    for (Slot& slot : slots_) {
      if (slot.call.get() == call) {
        slot_ref = std::move(slot.call);
        slot.call = nullptr;
        slot.retry_after = absl::Now() + options_.reconnect_backoff;
      }
    }
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.call == call) {
        failed.push_back(std::move(it->second.done));
        pending_.erase(it++);
      } else {
        ++it;
      }
    }
  }
  // A stream that ended OK still failed every request it did not ack.
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
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    for (const Slot& slot : slots_) {
      if (slot.call != nullptr) {
        calls.push_back(slot.call);
      }
    }
  }
  for (const std::shared_ptr<Call>& call : calls) {
    call->Cancel();
  }
  calls.clear();
  absl::MutexLock lock(&mu_);
  const int* live_calls = &live_calls_;
  mu_.Await(absl::Condition(
      +[](const int* live) { return *live == 0; }, live_calls));
}

}  // namespace vouchstream::gateway

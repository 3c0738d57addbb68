#include "service/rpc/publish_stream_reactor.h"

#include <string>
#include <utility>

#include "service/core/bad_request.h"
#include "service/rpc/status_mapping.h"

namespace vouchstream::rpc {

PublishStreamReactor::PublishStreamReactor(app::Publisher* publisher,
                                           size_t max_in_flight, Admit admit,
                                           PublishStreams* streams)
    : publisher_(publisher),
      max_in_flight_(max_in_flight),
      admit_(std::move(admit)),
      streams_(streams) {
  if (streams_ != nullptr && !streams_->Register(this)) {
    absl::MutexLock lock(&mu_);
    draining_ = true;  // The server is stopping already.
  }
  Step();
}

absl::AnyInvocable<void() &&> PublishStreamReactor::BeginDrain() {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    next = DecideLocked();
  }
  if (!next.write && !next.finish) {
    // Nothing to start now: an ack still due (its store callback) or a write
    // in flight decides the Finish when it comes back.
    return nullptr;
  }
  return [this, next = std::move(next)] { Start(next); };
}

void PublishStreamReactor::OnReadDone(bool ok) {
  uint64_t request_id = 0;
  v1::Event event;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (!ok) {
      reads_done_ = true;
    } else if (draining_ || finished_) {
      // Read as the server began to stop: dropped unacknowledged, for the
      // caller to re-send to the next server.
      ok = false;
      request_.Clear();
    } else {
      request_id = request_.request_id();
      event = std::move(*request_.mutable_event());
      request_.Clear();
      ++pending_;
    }
  }
  if (ok) {
    absl::Status admitted = admit_ != nullptr ? admit_() : absl::OkStatus();
    if (!admitted.ok()) {
      // Counted in `pending_` like a publish, so the same path acks it.
      OnPublished(request_id, std::move(admitted));
    } else {
      publisher_->Publish(std::move(event), [this, request_id](auto result) {
        OnPublished(request_id, std::move(result));
      });
    }
  }
  Step();
}

void PublishStreamReactor::OnPublished(
    uint64_t request_id, absl::StatusOr<core::EventLog::AppendResult> result) {
  v1::PublishStreamResponse ack;
  ack.set_request_id(request_id);
  if (result.ok()) {
    ack.mutable_ok()->set_seq(result->seq);
    ack.mutable_ok()->set_duplicate(result->duplicate);
  } else {
    v1::PublishError* error = ack.mutable_error();
    error->set_code(static_cast<int>(result.status().code()));
    error->set_message(std::string{result.status().message()});
    for (v1::FieldViolation& violation :
         core::FieldViolationsOf(result.status())) {
      *error->add_field_violations() = std::move(violation);
    }
  }
  // This runs on a store thread, which gRPC does not count: once `pending_`
  // drops, another thread may Finish and OnDone delete `this`, so the next
  // step is decided in the same critical section.
  Next next;
  {
    absl::MutexLock lock(&mu_);
    --pending_;
    if (!cancelled_) {
      acks_.push_back(std::move(ack));
    }
    next = DecideLocked();
  }
  Start(next);
}

void PublishStreamReactor::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      cancelled_ = true;  // The stream is broken; OnCancel may follow.
      acks_.clear();
    }
  }
  Step();
}

void PublishStreamReactor::OnCancel() {
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    acks_.clear();
  }
  Step();
}

void PublishStreamReactor::OnDone() {
  if (streams_ != nullptr) {
    streams_->Unregister(this);
  }
  delete this;
}

void PublishStreamReactor::Step() {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    next = DecideLocked();
  }
  Start(next);
}

PublishStreamReactor::Next PublishStreamReactor::DecideLocked() {
  Next next;
  if (finished_) {
    return next;
  }
  if (!writing_ && !acks_.empty() && !cancelled_) {
    response_ = std::move(acks_.front());
    acks_.pop_front();
    writing_ = true;
    next.write = true;
  }
  // A read may be due as well: a write and a read may both be in flight.
  if (!reading_ && !reads_done_ && !cancelled_ && !draining_ &&
      pending_ + acks_.size() < max_in_flight_) {
    reading_ = true;
    next.read = true;
  }
  // Draining, a pending read does not hold the Finish back: it completes
  // with ok=false once the call is finished.
  if (!writing_ && (!reading_ || draining_) && pending_ == 0 && acks_.empty() &&
      (reads_done_ || cancelled_ || draining_)) {
    // Every store callback has come back: nothing refers to `this` once
    // OnDone runs.
    finished_ = true;
    next.finish = true;
    if (cancelled_) {
      next.status = absl::CancelledError("publish stream cancelled");
    } else if (draining_ && !reads_done_) {
      next.status = absl::UnavailableError(
          "the server is stopping: reconnect and re-send the events not "
          "acknowledged");
    }
  }
  return next;
}

void PublishStreamReactor::Start(const Next& next) {
  // With a read marked, nothing can Finish before OnReadDone, so starting
  // the write first leaves `this` alive for StartRead.
  if (next.write) {
    StartWrite(&response_);
  }
  if (next.read) {
    StartRead(&request_);
  }
  if (next.finish) {
    Finish(ToGrpcStatus(next.status));
  }
}

}  // namespace vouchstream::rpc

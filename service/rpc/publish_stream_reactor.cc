#include "service/rpc/publish_stream_reactor.h"

#include <string>
#include <utility>

#include "service/core/bad_request.h"
#include "service/rpc/status_mapping.h"

namespace vouchstream::rpc {

PublishStreamReactor::PublishStreamReactor(Publisher* publisher,
                                           size_t max_in_flight)
    : publisher_(publisher), max_in_flight_(max_in_flight) {
  Step();
}

void PublishStreamReactor::OnReadDone(bool ok) {
  uint64_t request_id = 0;
  v1::Event event;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (!ok) {
      reads_done_ = true;
    } else {
      request_id = request_.request_id();
      event = std::move(*request_.mutable_event());
      request_.Clear();
      ++pending_;
    }
  }
  if (ok) {
    publisher_->Publish(std::move(event), [this, request_id](auto result) {
      OnPublished(request_id, std::move(result));
    });
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
  {
    absl::MutexLock lock(&mu_);
    --pending_;
    if (!cancelled_) {
      acks_.push_back(std::move(ack));
    }
  }
  Step();
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

void PublishStreamReactor::OnDone() { delete this; }

void PublishStreamReactor::Step() {
  enum class Action { kNone, kWrite, kRead, kFinish };
  Action action = Action::kNone;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (finished_) {
      return;
    }
    if (!writing_ && !acks_.empty() && !cancelled_) {
      response_ = std::move(acks_.front());
      acks_.pop_front();
      writing_ = true;
      action = Action::kWrite;
    } else if (!reading_ && !reads_done_ && !cancelled_ &&
               pending_ + acks_.size() < max_in_flight_) {
      reading_ = true;
      action = Action::kRead;
    } else if (!writing_ && !reading_ && pending_ == 0 && acks_.empty() &&
               (reads_done_ || cancelled_)) {
      // Every store callback has come back: nothing refers to `this` once
      // OnDone runs.
      finished_ = true;
      action = Action::kFinish;
      if (cancelled_) {
        status = absl::CancelledError("publish stream cancelled");
      }
    }
  }
  switch (action) {
    case Action::kWrite:
      StartWrite(&response_);
      // A read may also be due (a write and a read may both be in flight).
      Step();
      break;
    case Action::kRead:
      StartRead(&request_);
      break;
    case Action::kFinish:
      Finish(ToGrpcStatus(status));
      break;
    case Action::kNone:
      break;
  }
}

}  // namespace vouchstream::rpc

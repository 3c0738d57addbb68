#include "clients/cpp/lib/subscriber.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"

#include "common/grpc_status.h"

namespace vouchstream::client {
namespace {

// Codes after which a new Subscribe may succeed (see the header).
bool Retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::OK ||
         code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::CANCELLED;
}

}  // namespace

Subscriber::Subscriber(const std::shared_ptr<grpc::ChannelInterface>& channel,
                       Options options, EventHandler handler)
    : stub_(v1::EventService::NewStub(channel)),
      options_(std::move(options)),
      handler_(std::move(handler)),
      backoff_(options_.backoff) {
  last_seq_ = options_.start.after_seq;
  resume_after_ = options_.start.after_seq;
}

Subscriber::~Subscriber() { Shutdown().IgnoreError(); }

void Subscriber::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Subscriber::Stop() {
  absl::MutexLock lock(&mu_);
  stop_requested_ = true;
  // TryCancel only asks gRPC to cancel; it does not call back into us.
  if (context_ != nullptr) {
    context_->TryCancel();
  }
}

bool Subscriber::WaitForDone(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
}

absl::Status Subscriber::Shutdown() {
  Stop();
  if (thread_.joinable()) {
    thread_.join();
  }
  absl::MutexLock lock(&mu_);
  return final_status_;
}

std::optional<uint64_t> Subscriber::last_seq() const {
  absl::MutexLock lock(&mu_);
  return last_seq_;
}

bool Subscriber::caught_up() const {
  absl::MutexLock lock(&mu_);
  return caught_up_;
}

bool Subscriber::WaitForCaughtUp(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto caught_up_or_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return caught_up_ || done_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&caught_up_or_done), timeout);
  return caught_up_;
}

int Subscriber::reconnects() const {
  absl::MutexLock lock(&mu_);
  return reconnects_;
}

v1::SubscribeRequest Subscriber::NextRequest() const {
  v1::SubscribeRequest request;
  *request.mutable_filter() = options_.filter;
  request.set_heartbeat_seconds(options_.heartbeat_seconds);
  absl::MutexLock lock(&mu_);
  if (resume_after_.has_value()) {
    request.set_after_seq(*resume_after_);
  } else {
    request.set_from(options_.start.from);
  }
  return request;
}

bool Subscriber::SleepUnlessStopped(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  return !mu_.AwaitWithTimeout(absl::Condition(&stop_requested_), delay);
}

void Subscriber::Run() {
  absl::Status final_status;
  while (true) {
    grpc::ClientContext context;
    {
      absl::MutexLock lock(&mu_);
      if (stop_requested_) {
        break;
      }
      context_ = &context;
    }
    const v1::SubscribeRequest request = NextRequest();
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
        stub_->Subscribe(&context, request);
    absl::Status handler_status;
    v1::SubscribeResponse response;
    while (reader->Read(&response)) {
      backoff_.Reset();
      if (response.has_event()) {
        handler_status = handler_(response.event());
        if (!handler_status.ok()) {
          context.TryCancel();
          break;
        }
        absl::MutexLock lock(&mu_);
        last_seq_ = response.event().seq();
        resume_after_ = std::max(resume_after_.value_or(0), *last_seq_);
      } else if (response.has_caught_up()) {
        absl::MutexLock lock(&mu_);
        caught_up_ = true;
        resume_after_ = std::max(resume_after_.value_or(0),
                                 response.caught_up().last_seq());
      }
      // Heartbeats only keep the stream alive.
    }
    const grpc::Status status = reader->Finish();
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
      stop = stop_requested_;
    }
    if (!handler_status.ok()) {
      final_status = handler_status;
      break;
    }
    if (stop) {
      break;
    }
    if (!Retryable(status.error_code())) {
      final_status = common::FromGrpcStatus(status);
      break;
    }
    if (!SleepUnlessStopped(backoff_.NextDelay())) {
      break;
    }
    absl::MutexLock lock(&mu_);
    ++reconnects_;
  }
  absl::MutexLock lock(&mu_);
  final_status_ = final_status;
  done_ = true;
}

}  // namespace vouchstream::client

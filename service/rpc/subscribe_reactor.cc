#include "service/rpc/subscribe_reactor.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "common/proto_time.h"
#include "service/app/subscriptions.h"
#include "service/rpc/status_mapping.h"

namespace vouchstream::rpc {
namespace {

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out) {
  *out = common::ToProtoTimestamp(time);
}

}  // namespace

SubscribeReactor::SubscribeReactor(core::Broker* broker,
                                   core::Broker::SubscribeOptions options,
                                   Access access)
    : principal_(access.principal != nullptr ? std::move(access.principal)
                                             : auth::Principal::Anonymous()) {
  // Headers now, so that the client sees the stream open even before the
  // first event.
  StartSendInitialMetadata();
  // The callback runs only after MaybeWrite's first Next() came back empty,
  // so never before `subscription_` is set.
  std::shared_ptr<core::Subscription> subscription =
      broker->Subscribe(std::move(options), [this] { MaybeWrite(); });
  {
    absl::MutexLock lock(&mu_);
    subscription_ = std::move(subscription);
  }
  if (access.authorizer != nullptr) {
    absl::StatusOr<std::unique_ptr<auth::StreamRegistry::Registration>>
        registration = access.authorizer->RegisterStream(
            access.credentials, principal_,
            [this](absl::Status status) { Revoke(std::move(status)); });
    if (!registration.ok()) {
      Revoke(registration.status());
      return;
    }
    registration_ = *std::move(registration);
  }
  MaybeWrite();
}

void SubscribeReactor::Revoke(absl::Status status) {
  {
    absl::MutexLock lock(&mu_);
    if (finished_ || !revoked_.ok()) {
      return;
    }
    revoked_ = std::move(status);
  }
  // Finishes now, or from OnWriteDone once the write in flight is done:
  // never a Finish racing a StartWrite.
  MaybeWrite();
}

void SubscribeReactor::MaybeWrite() {
  absl::Status end;
  {
    absl::MutexLock lock(&mu_);
    if (writing_ || finished_ || subscription_ == nullptr) {
      return;
    }
    absl::StatusOr<std::optional<core::Delivery>> next =
        revoked_.ok() ? subscription_->Next()
                      : absl::StatusOr<std::optional<core::Delivery>>(revoked_);
    if (!next.ok()) {
      end = next.status();
    } else if (!next->has_value()) {
      return;  // The subscription calls back when there is more.
    } else {
      core::Delivery& delivery = **next;
      switch (delivery.kind) {
        case core::Delivery::Kind::kEvent:
          // Borrow the broker's shared event instead of copying it per
          // subscriber: const methods (serialization included) are safe to
          // run concurrently on one message. Released in OnWriteDone.
          in_flight_ = std::move(delivery.event);
          response_.unsafe_arena_set_allocated_event(const_cast<v1::Event*>(
              &app::Subscriptions::View(*principal_, *in_flight_, &redacted_)));
          break;
        case core::Delivery::Kind::kCaughtUp:
          response_.mutable_caught_up()->set_last_seq(delivery.last_seq);
          break;
        case core::Delivery::Kind::kHeartbeat:
          response_.mutable_heartbeat()->set_last_seq(delivery.last_seq);
          SetTimestamp(delivery.server_time,
                       response_.mutable_heartbeat()->mutable_server_time());
          break;
      }
      writing_ = true;
    }
  }
  if (!end.ok()) {
    FinishOnce(end);
    return;
  }
  StartWrite(&response_);
}

void SubscribeReactor::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    ReleaseEvent();
  }
  if (!ok) {
    // The stream is broken (client gone); OnCancel follows.
    FinishOnce(absl::CancelledError("write failed: the client went away"));
    return;
  }
  MaybeWrite();
}

void SubscribeReactor::OnCancel() {
  std::shared_ptr<core::Subscription> subscription;
  {
    absl::MutexLock lock(&mu_);
    subscription = subscription_;
  }
  if (subscription != nullptr) {
    subscription->Cancel();
  }
  FinishOnce(absl::CancelledError("subscription cancelled by the client"));
}

void SubscribeReactor::OnDone() {
  // First: once it is gone, no revocation runs or will run.
  registration_.reset();
  std::shared_ptr<core::Subscription> subscription;
  {
    absl::MutexLock lock(&mu_);
    subscription = std::move(subscription_);
    ReleaseEvent();
  }
  // After Cancel the broker never calls back into this reactor.
  if (subscription != nullptr) {
    subscription->Cancel();
  }
  delete this;
}

void SubscribeReactor::FinishOnce(const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (finished_) {
      return;
    }
    finished_ = true;
  }
  // A write may still be in flight; gRPC sends the status after it.
  Finish(ToGrpcStatus(status));
}

void SubscribeReactor::ReleaseEvent() {
  if (response_.has_event()) {
    response_.unsafe_arena_release_event();
  }
  response_.clear_kind();
  in_flight_.reset();
}

}  // namespace vouchstream::rpc

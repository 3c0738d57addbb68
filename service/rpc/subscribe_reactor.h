#pragma once
// The reactor of one `EventService.Subscribe` call: it opens a
// core::Subscription on the broker, as app::Subscriptions planned it for
// the caller, and writes what it yields, one write in
// flight at a time. The subscription's bounded buffer is the queue that feeds
// it; events are shared with other subscribers, not copied. A subscription
// that ends (retention, shutdown, log failure) finishes the call with its
// status; a client that cancels detaches the subscription from the broker.
//
// With access control, each event is written as the caller's principal may
// see it (app::Subscriptions::View: a redacted copy when it redacts), and the
// stream is registered with the Authorizer so that a reload revoking its access
// finishes it with UNAUTHENTICATED.
//
// Created by EventService::Subscribe; deletes itself in OnDone, after the
// subscription has let go of it (Subscription::Cancel). Thread-safe: the
// broker's ready callback, gRPC's reactions and a reload's revocation may
// run concurrently.

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"

#include "vouchstream/v1/api.pb.h"

#include "service/auth/authorizer.h"
#include "service/auth/credentials.h"
#include "service/auth/principal.h"
#include "service/auth/stream_registry.h"
#include "service/core/broker.h"

namespace vouchstream::rpc {

class SubscribeReactor final
    : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  // Who reads: the principal redacts, and with an `authorizer` the stream
  // is registered for revocation under `credentials`. A null principal is
  // anonymous (nothing redacted); a null authorizer registers nothing.
  struct Access {
    std::shared_ptr<const auth::Principal> principal;
    auth::Authorizer* authorizer = nullptr;
    auth::Credentials credentials;
  };

  // Starts the call on `broker` with `options` as app::Subscriptions::Plan
  // made them for the principal (filter narrowed to its scope, start,
  // heartbeat).
  SubscribeReactor(core::Broker* broker, core::Broker::SubscribeOptions options,
                   Access access);

  // grpc::ServerWriteReactor:
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Starts the next write, or finishes the call, if nothing is in flight.
  void MaybeWrite();
  // Finishes the call unless already finished.
  void FinishOnce(const absl::Status& status);
  // Ends the call with `status` after the write in flight (if any).
  void Revoke(absl::Status status);
  // Drops the response's borrowed event (owned by the broker's shared_ptr).
  void ReleaseEvent() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::shared_ptr<core::Subscription> subscription_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // The message being written stays alive until OnWriteDone.
  v1::SubscribeResponse response_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const v1::Event> in_flight_ ABSL_GUARDED_BY(mu_);
  // The redacted copy being written, when the principal redacts.
  v1::Event redacted_ ABSL_GUARDED_BY(mu_);
  // Non-OK once revoked: the next step finishes with it.
  absl::Status revoked_ ABSL_GUARDED_BY(mu_);

  const std::shared_ptr<const auth::Principal> principal_;
  // Set once, in the constructor, before any revocation may run; reset in
  // OnDone.
  std::unique_ptr<auth::StreamRegistry::Registration> registration_;
};

}  // namespace vouchstream::rpc

#pragma once
// The reactor of one `EventService.Subscribe` call: it opens a
// core::Subscription on the broker and writes what it yields, one write in
// flight at a time. The subscription's bounded buffer is the queue that feeds
// it; events are shared with other subscribers, not copied. A subscription
// that ends (retention, shutdown, log failure) finishes the call with its
// status; a client that cancels detaches the subscription from the broker.
//
// Created by EventService::Subscribe; deletes itself in OnDone, after the
// subscription has let go of it (Subscription::Cancel). Thread-safe: the
// broker's ready callback and gRPC's reactions may run concurrently.

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

#include "vouchstream/v1/api.pb.h"

#include "service/core/broker.h"

namespace vouchstream::rpc {

class SubscribeReactor final
    : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  // Starts the call: an invalid request (bad code pattern) finishes it with
  // INVALID_ARGUMENT at once. `default_heartbeat` applies when the request
  // asks for none.
  SubscribeReactor(core::Broker* broker, const v1::SubscribeRequest& request,
                   absl::Duration default_heartbeat);

  // grpc::ServerWriteReactor:
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Starts the next write, or finishes the call, if nothing is in flight.
  void MaybeWrite();
  // Finishes the call unless already finished.
  void FinishOnce(const absl::Status& status);
  // Drops the response's borrowed event (owned by the broker's shared_ptr).
  void ReleaseEvent() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::shared_ptr<core::Subscription> subscription_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // The message being written stays alive until OnWriteDone.
  v1::SubscribeResponse response_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const v1::Event> in_flight_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::rpc

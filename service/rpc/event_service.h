#pragma once
// `vouchstream.v1.EventService` on gRPC's callback API: the transport edge
// over the application (service/app). Each handler reads the call's
// credentials, has app::Admission admit it (the scope its RPC declares in
// the contract), hands the request to the application and turns the
// absl::Status it answers into a grpc::Status (status_mapping.h). Publish
// and Reprocess finish from the store's callback; Subscribe and
// PublishStream get their own reactors (subscribe_reactor.h,
// publish_stream_reactor.h); the reads and cursor calls run on the worker
// pool, never in a reaction.
//
//   EventService service(app, {});
//   builder.RegisterService(&service);
//
// Thread-safe: gRPC calls the handlers from any thread.

#include <cstddef>

#include "grpcpp/grpcpp.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "service/app/admission.h"
#include "service/app/cursors.h"
#include "service/app/publisher.h"
#include "service/app/reads.h"
#include "service/app/subscriptions.h"
#include "service/app/worker_pool.h"
#include "service/core/broker.h"
#include "service/rpc/publish_streams.h"

namespace vouchstream::rpc {

class EventService final : public v1::EventService::CallbackService {
 public:
  // The application the calls go to; every pointer must outlive the
  // service (and the server it serves on).
  struct App {
    const app::Admission* admission = nullptr;
    app::Publisher* publisher = nullptr;
    const app::Reads* reads = nullptr;
    const app::Cursors* cursors = nullptr;
    const app::Subscriptions* subscriptions = nullptr;
    core::Broker* broker = nullptr;
    // Runs the reads and cursor calls, which may wait on the disk.
    app::WorkerPool* pool = nullptr;
  };

  // Defaults:
  //   max_stream_in_flight  1024 unacknowledged events per PublishStream
  struct Options {
    size_t max_stream_in_flight = 1024;
  };

  EventService(const App& app, const Options& options)
      : app_(app), options_(options) {}

  // Tells every open PublishStream, and every later one, to go once the
  // acks of what it took in are written (publish_streams.h). Call when the
  // server starts to stop, with Broker::Shutdown (which ends the
  // subscriptions) and before grpc::Server::Shutdown, which would otherwise
  // wait its whole deadline for the gateways' streams. Does not wait.
  void Drain() { publish_streams_.Drain(); }

  // v1::EventService::CallbackService:
  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* context,
                                    const v1::PublishRequest* request,
                                    v1::PublishResponse* response) override;
  grpc::ServerBidiReactor<v1::PublishStreamRequest, v1::PublishStreamResponse>*
  PublishStream(grpc::CallbackServerContext* context) override;
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context,
      const v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* GetEvent(grpc::CallbackServerContext* context,
                                     const v1::GetEventRequest* request,
                                     v1::GetEventResponse* response) override;
  grpc::ServerUnaryReactor* ListEvents(
      grpc::CallbackServerContext* context,
      const v1::ListEventsRequest* request,
      v1::ListEventsResponse* response) override;
  grpc::ServerUnaryReactor* ListQuarantined(
      grpc::CallbackServerContext* context,
      const v1::ListQuarantinedRequest* request,
      v1::ListQuarantinedResponse* response) override;
  grpc::ServerUnaryReactor* Reprocess(grpc::CallbackServerContext* context,
                                      const v1::ReprocessRequest* request,
                                      v1::ReprocessResponse* response) override;
  grpc::ServerUnaryReactor* SaveCursor(
      grpc::CallbackServerContext* context,
      const v1::SaveCursorRequest* request,
      v1::SaveCursorResponse* response) override;
  grpc::ServerUnaryReactor* GetCursor(grpc::CallbackServerContext* context,
                                      const v1::GetCursorRequest* request,
                                      v1::GetCursorResponse* response) override;

 private:
  // The caller of `method`, admitted (app::Admission::Admit), filling
  // `credentials` under access control.
  absl::StatusOr<std::shared_ptr<const auth::Principal>> Admit(
      const grpc::CallbackServerContext& context, absl::string_view method,
      auth::Credentials* credentials = nullptr) const;

  const App app_;
  const Options options_;
  PublishStreams publish_streams_;
};

}  // namespace vouchstream::rpc

#pragma once
// `vouchstream.v1.EventService` on gRPC's callback API: the transport edge
// over the service core. Publish and Reprocess go through the Publisher and
// finish from the store's callback; Subscribe and PublishStream get their
// own reactors (subscribe_reactor.h, publish_stream_reactor.h); the reads
// (GetEvent, ListEvents, ListQuarantined) run on the worker pool, never in a
// reaction. Errors become grpc::Status only through status_mapping.h.
//
//   EventService service(log, &broker, &publisher, &pool, {});
//   builder.RegisterService(&service);
//
// Thread-safe: gRPC calls the handlers from any thread.

#include <cstddef>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "service/core/broker.h"
#include "service/core/event_log.h"
#include "service/rpc/publisher.h"
#include "service/rpc/worker_pool.h"

namespace vouchstream::rpc {

class EventService final : public v1::EventService::CallbackService {
 public:
  // Defaults:
  //   default_page_size     100 (ListEvents, ListQuarantined)
  //   max_page_size         1000
  //   max_scan              10,000 events read per ListEvents call; a
  //                         selective filter then returns a short page with
  //                         a token to continue from
  //   default_heartbeat     15 s
  //   max_stream_in_flight  1024 unacknowledged events per PublishStream
  struct Options {
    int default_page_size = 100;
    int max_page_size = 1000;
    size_t max_scan = 10000;
    absl::Duration default_heartbeat = absl::Seconds(15);
    size_t max_stream_in_flight = 1024;
  };

  // Every pointer must outlive the service (and the server it serves on).
  EventService(core::EventLog* log, core::Broker* broker, Publisher* publisher,
               WorkerPool* pool, const Options& options);

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

 private:
  int PageSize(int requested) const;

  core::EventLog* const log_;
  core::Broker* const broker_;
  Publisher* const publisher_;
  WorkerPool* const pool_;
  const Options options_;
};

}  // namespace vouchstream::rpc

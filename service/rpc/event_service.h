#pragma once
// `vouchstream.v1.EventService` on gRPC's callback API: the transport edge
// over the service core. Publish and Reprocess go through the Publisher and
// finish from the store's callback; Subscribe and PublishStream get their
// own reactors (subscribe_reactor.h, publish_stream_reactor.h); the reads
// (GetEvent, ListEvents, ListQuarantined) run on the worker pool, never in a
// reaction. Errors become grpc::Status only through status_mapping.h.
//
// With an Authorizer (`Options::authorizer`), every call is authenticated
// from its bearer token or client certificate and checked against its
// principal's scopes (auth/scope_check.h); reads are narrowed to the scope
// and redacted for the principal. Without one, every call may do anything.
//
//   EventService service(log, &broker, &publisher, &pool, {});
//   builder.RegisterService(&service);
//
// Thread-safe: gRPC calls the handlers from any thread.

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "service/auth/authorizer.h"
#include "service/auth/principal.h"
#include "service/core/broker.h"
#include "service/core/event_log.h"
#include "service/core/telemetry.h"
#include "service/rpc/publish_streams.h"
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
  //   authorizer            nullptr: no access control (must outlive the
  //                         service when set)
  struct Options {
    int default_page_size = 100;
    int max_page_size = 1000;
    size_t max_scan = 10000;
    absl::Duration default_heartbeat = absl::Seconds(15);
    size_t max_stream_in_flight = 1024;
    auth::Authorizer* authorizer = nullptr;
    // Told of named consumers' cursors and failed cursor saves (metrics).
    core::Telemetry* telemetry = core::Telemetry::None();
  };

  // Every pointer must outlive the service (and the server it serves on).
  EventService(core::EventLog* log, core::Broker* broker, Publisher* publisher,
               WorkerPool* pool, const Options& options);

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
  // Named cursors need the subscribe scope; see cursor_names.h.
  grpc::ServerUnaryReactor* SaveCursor(
      grpc::CallbackServerContext* context,
      const v1::SaveCursorRequest* request,
      v1::SaveCursorResponse* response) override;
  grpc::ServerUnaryReactor* GetCursor(grpc::CallbackServerContext* context,
                                      const v1::GetCursorRequest* request,
                                      v1::GetCursorResponse* response) override;

 private:
  int PageSize(int requested) const;
  // The caller's principal (anonymous without access control), filling
  // `credentials`; kUnauthenticated when the credentials name nobody.
  absl::StatusOr<std::shared_ptr<const auth::Principal>> Authenticate(
      const grpc::CallbackServerContext& context,
      auth::Credentials* credentials) const;
  // Authenticate, then `check` on the principal; logs a refusal.
  absl::StatusOr<std::shared_ptr<const auth::Principal>> Admit(
      const grpc::CallbackServerContext& context, absl::string_view method,
      absl::Status (*check)(const auth::Principal&),
      auth::Credentials* credentials = nullptr) const;

  // The store key of `principal`'s cursor `consumer` (cursor_names.h): its
  // own names with access control, the shared ones without.
  absl::StatusOr<std::string> CursorKeyFor(const auth::Principal& principal,
                                           absl::string_view consumer) const;
  // Admit with the subscribe scope, then CursorKeyFor.
  absl::StatusOr<std::string> AdmitCursor(
      const grpc::CallbackServerContext& context, absl::string_view method,
      absl::string_view consumer) const;

  // Tells telemetry that the consumer of cursor key `key` is at `seq`.
  void ReportCursor(absl::string_view key, uint64_t seq) const;

  core::EventLog* const log_;
  core::Broker* const broker_;
  Publisher* const publisher_;
  PublishStreams publish_streams_;
  WorkerPool* const pool_;
  const Options options_;
};

}  // namespace vouchstream::rpc

#include "service/rpc/event_service.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "service/rpc/call_credentials.h"
#include "service/rpc/publish_stream_reactor.h"
#include "service/rpc/refused_reactor.h"
#include "service/rpc/status_mapping.h"
#include "service/rpc/subscribe_reactor.h"

namespace vouchstream::rpc {
namespace {

using Principal = std::shared_ptr<const auth::Principal>;

// The callback that finishes a Publish-like call (Publish, Reprocess) once
// the log has answered: the seq and duplicate flag, or the error.
template <typename Response>
auto AnswerWhenStored(grpc::ServerUnaryReactor* reactor, Response* response) {
  return
      [reactor, response](absl::StatusOr<core::EventLog::AppendResult> result) {
        if (!result.ok()) {
          reactor->Finish(ToGrpcStatus(result.status()));
          return;
        }
        response->set_seq(result->seq);
        response->set_duplicate(result->duplicate);
        reactor->Finish(grpc::Status::OK);
      };
}

// A unary call refused before it reached the application.
grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

absl::StatusOr<Principal> EventService::Admit(
    const grpc::CallbackServerContext& context, absl::string_view method,
    auth::Credentials* credentials) const {
  auth::Credentials read;
  if (app_.admission->access_control()) {
    read = CredentialsOf(context);
  }
  absl::StatusOr<Principal> principal =
      app_.admission->Admit(method, read, context.peer());
  if (credentials != nullptr) {
    *credentials = std::move(read);
  }
  return principal;
}

grpc::ServerUnaryReactor* EventService::Publish(
    grpc::CallbackServerContext* context, const v1::PublishRequest* request,
    v1::PublishResponse* response) {
  absl::StatusOr<Principal> principal = Admit(*context, "Publish");
  if (!principal.ok()) {
    return Refuse(context, principal.status());
  }
  if (!request->has_event()) {
    return Refuse(context, absl::InvalidArgumentError("event: is required"));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // Finished from the store's callback once the event is durable; this
  // handler returns at once.
  app_.publisher->Publish(request->event(),
                          AnswerWhenStored(reactor, response));
  return reactor;
}

grpc::ServerBidiReactor<v1::PublishStreamRequest, v1::PublishStreamResponse>*
EventService::PublishStream(grpc::CallbackServerContext* context) {
  auth::Credentials credentials;
  absl::StatusOr<Principal> principal =
      Admit(*context, "PublishStream", &credentials);
  if (!principal.ok()) {
    return new RefusedBidiReactor<v1::PublishStreamRequest,
                                  v1::PublishStreamResponse>(
        principal.status());
  }
  PublishStreamReactor::Admit admit;
  if (app_.admission->access_control()) {
    // Each event asks again (a hash and a few compares): a reload that
    // revokes the caller refuses its further events.
    admit = [admission = app_.admission, credentials = std::move(credentials),
             name = (*principal)->name] {
      return admission->Readmit("PublishStream", credentials, name);
    };
  }
  return new PublishStreamReactor(app_.publisher, options_.max_stream_in_flight,
                                  std::move(admit), &publish_streams_);
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* EventService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  SubscribeReactor::Access access;
  absl::StatusOr<Principal> principal =
      Admit(*context, "Subscribe", &access.credentials);
  // The plan may read the consumer's cursor: one store read on this thread.
  absl::StatusOr<core::Broker::SubscribeOptions> options =
      principal.ok()
          ? app_.subscriptions->Plan(**principal, *request)
          : absl::StatusOr<core::Broker::SubscribeOptions>(principal.status());
  if (!options.ok()) {
    return new RefusedWriteReactor<v1::SubscribeResponse>(options.status());
  }
  access.principal = *std::move(principal);
  access.authorizer = app_.admission->authorizer();
  return new SubscribeReactor(app_.broker, *std::move(options),
                              std::move(access));
}

grpc::ServerUnaryReactor* EventService::GetEvent(
    grpc::CallbackServerContext* context, const v1::GetEventRequest* request,
    v1::GetEventResponse* response) {
  absl::StatusOr<Principal> principal = Admit(*context, "GetEvent");
  if (!principal.ok()) {
    return Refuse(context, principal.status());
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  app_.pool->Post(
      [this, reactor, request, response, principal = *std::move(principal)] {
        absl::StatusOr<v1::Event> event =
            app_.reads->GetEvent(*principal, *request);
        if (!event.ok()) {
          reactor->Finish(ToGrpcStatus(event.status()));
          return;
        }
        *response->mutable_event() = *std::move(event);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* EventService::ListEvents(
    grpc::CallbackServerContext* context, const v1::ListEventsRequest* request,
    v1::ListEventsResponse* response) {
  absl::StatusOr<Principal> principal = Admit(*context, "ListEvents");
  if (!principal.ok()) {
    return Refuse(context, principal.status());
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  app_.pool->Post([this, reactor, request, response,
                   principal = *std::move(principal)] {
    reactor->Finish(
        ToGrpcStatus(app_.reads->ListEvents(*principal, *request, response)));
  });
  return reactor;
}

grpc::ServerUnaryReactor* EventService::ListQuarantined(
    grpc::CallbackServerContext* context,
    const v1::ListQuarantinedRequest* request,
    v1::ListQuarantinedResponse* response) {
  absl::StatusOr<Principal> principal = Admit(*context, "ListQuarantined");
  if (!principal.ok()) {
    return Refuse(context, principal.status());
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  app_.pool->Post(
      [this, reactor, request, response, principal = *std::move(principal)] {
        reactor->Finish(ToGrpcStatus(
            app_.reads->ListQuarantined(*principal, *request, response)));
      });
  return reactor;
}

grpc::ServerUnaryReactor* EventService::Reprocess(
    grpc::CallbackServerContext* context, const v1::ReprocessRequest* request,
    v1::ReprocessResponse* response) {
  absl::StatusOr<Principal> principal = Admit(*context, "Reprocess");
  if (!principal.ok()) {
    return Refuse(context, principal.status());
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  app_.publisher->Reprocess(request->quarantine_id(),
                            AnswerWhenStored(reactor, response));
  return reactor;
}

grpc::ServerUnaryReactor* EventService::SaveCursor(
    grpc::CallbackServerContext* context, const v1::SaveCursorRequest* request,
    v1::SaveCursorResponse* /*response*/) {
  absl::StatusOr<Principal> principal = Admit(*context, "SaveCursor");
  if (!principal.ok()) {
    return Refuse(context, principal.status());
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  app_.pool->Post([this, reactor, request, principal = *std::move(principal)] {
    reactor->Finish(ToGrpcStatus(
        app_.cursors->Save(*principal, request->consumer(), request->seq())));
  });
  return reactor;
}

grpc::ServerUnaryReactor* EventService::GetCursor(
    grpc::CallbackServerContext* context, const v1::GetCursorRequest* request,
    v1::GetCursorResponse* response) {
  absl::StatusOr<Principal> principal = Admit(*context, "GetCursor");
  if (!principal.ok()) {
    return Refuse(context, principal.status());
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  app_.pool->Post(
      [this, reactor, request, response, principal = *std::move(principal)] {
        absl::StatusOr<uint64_t> seq =
            app_.cursors->Get(*principal, request->consumer());
        if (seq.ok()) {
          response->set_seq(*seq);
        }
        reactor->Finish(ToGrpcStatus(seq.status()));
      });
  return reactor;
}

}  // namespace vouchstream::rpc

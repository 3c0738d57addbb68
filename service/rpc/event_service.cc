#include "service/rpc/event_service.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "common/json_log.h"
#include "service/auth/auth_errors.h"
#include "service/auth/scope_check.h"
#include "service/core/bad_request.h"
#include "service/core/event_filter.h"
#include "service/rpc/call_credentials.h"
#include "service/rpc/cursor_names.h"
#include "service/rpc/publish_stream_reactor.h"
#include "service/rpc/refused_reactor.h"
#include "service/rpc/status_mapping.h"
#include "service/rpc/subscribe_reactor.h"

namespace vouchstream::rpc {
namespace {

using common::LogInfo;

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

constexpr absl::string_view kTokenPrefix = "vs1:";

// Page tokens are opaque to callers: the last position read, versioned and
// base64'd so that nobody is tempted to build them by hand.
std::string MakeToken(uint64_t position) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenPrefix, position));
}

absl::StatusOr<uint64_t> ParseToken(absl::string_view field,
                                    absl::string_view token) {
  if (token.empty()) {
    return 0;
  }
  std::string decoded;
  uint64_t position = 0;
  if (!absl::WebSafeBase64Unescape(token, &decoded) ||
      !absl::StartsWith(decoded, kTokenPrefix) ||
      !absl::SimpleAtoi(absl::string_view(decoded).substr(kTokenPrefix.size()),
                        &position)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", token, "\" is not a page token"));
  }
  return position;
}

// Fills `response` with up to `page_size` events after `cursor` that `filter`
// matches, reading at most `max_scan` events, and sets the next page token
// unless the log ended. Errors are the log's.
absl::Status FillEventsPage(core::EventLog* log,
                            const core::EventFilter& filter, uint64_t cursor,
                            size_t page_size, size_t max_scan,
                            v1::ListEventsResponse* response) {
  size_t scanned = 0;
  bool at_end = false;
  // Scan in pages until the page is full, the log ends, or the scan
  // budget is spent (then the token continues where the scan stopped).
  while (static_cast<size_t>(response->events_size()) < page_size &&
         scanned < max_scan) {
    const size_t want = std::min<size_t>(256, max_scan - scanned);
    absl::StatusOr<std::vector<v1::Event>> page = log->ReadAfter(cursor, want);
    if (!page.ok()) {
      return page.status();
    }
    for (v1::Event& event : *page) {
      ++scanned;
      cursor = event.seq();
      if (filter.Matches(event)) {
        *response->add_events() = std::move(event);
        if (static_cast<size_t>(response->events_size()) == page_size) {
          break;
        }
      }
    }
    if (page->size() < want &&
        static_cast<size_t>(response->events_size()) < page_size) {
      at_end = true;
      break;
    }
  }
  if (!at_end) {
    response->set_next_page_token(MakeToken(cursor));
  }
  return absl::OkStatus();
}

// The answer to a GetEvent outside the caller's scope: the same as for an
// event that does not exist, so that a scope does not reveal what is
// outside it.
absl::Status NotFoundFor(const v1::GetEventRequest& request) {
  return request.key_case() == v1::GetEventRequest::kSeq
             ? absl::NotFoundError(
                   absl::StrCat("event seq ", request.seq(), " not found"))
             : absl::NotFoundError(
                   absl::StrCat("event id \"", request.id(), "\" not found"));
}

absl::Status NoCheck(const auth::Principal& /*principal*/) {
  return absl::OkStatus();
}

}  // namespace

EventService::EventService(core::EventLog* log, core::Broker* broker,
                           Publisher* publisher, WorkerPool* pool,
                           const Options& options)
    : log_(log),
      broker_(broker),
      publisher_(publisher),
      pool_(pool),
      options_(options) {}

int EventService::PageSize(int requested) const {
  if (requested <= 0) {
    return options_.default_page_size;
  }
  return std::min(requested, options_.max_page_size);
}

absl::StatusOr<std::shared_ptr<const auth::Principal>>
EventService::Authenticate(const grpc::CallbackServerContext& context,
                           auth::Credentials* credentials) const {
  if (options_.authorizer == nullptr) {
    return auth::Principal::Anonymous();
  }
  *credentials = CredentialsOf(context);
  return options_.authorizer->Authenticate(*credentials);
}

absl::StatusOr<std::shared_ptr<const auth::Principal>> EventService::Admit(
    const grpc::CallbackServerContext& context, absl::string_view method,
    absl::Status (*check)(const auth::Principal&),
    auth::Credentials* credentials) const {
  auth::Credentials ignored;
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal =
      Authenticate(context, credentials != nullptr ? credentials : &ignored);
  absl::Status status =
      principal.ok() ? check(**principal) : principal.status();
  if (!status.ok()) {
    // Names the caller by principal or peer, never by its token.
    LogInfo("call refused",
            {{"method", method},
             {"principal", principal.ok() ? (*principal)->name : ""},
             {"peer", context.peer()},
             {"status", status}});
    return status;
  }
  return principal;
}

grpc::ServerUnaryReactor* EventService::Publish(
    grpc::CallbackServerContext* context, const v1::PublishRequest* request,
    v1::PublishResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal =
      Admit(*context, "Publish", &auth::RequirePublish);
  if (!principal.ok()) {
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  if (!request->has_event()) {
    reactor->Finish(
        ToGrpcStatus(absl::InvalidArgumentError("event: is required")));
    return reactor;
  }
  // Finished from the store's callback once the event is durable; this
  // handler returns at once.
  publisher_->Publish(request->event(), AnswerWhenStored(reactor, response));
  return reactor;
}

grpc::ServerBidiReactor<v1::PublishStreamRequest, v1::PublishStreamResponse>*
EventService::PublishStream(grpc::CallbackServerContext* context) {
  auth::Credentials credentials;
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal =
      Admit(*context, "PublishStream", &auth::RequirePublish, &credentials);
  if (!principal.ok()) {
    return new RefusedBidiReactor<v1::PublishStreamRequest,
                                  v1::PublishStreamResponse>(
        principal.status());
  }
  PublishStreamReactor::Admit admit;
  if (options_.authorizer != nullptr) {
    // Each event asks again (a hash and a few compares): a reload that
    // revokes the caller refuses its further events.
    admit = [authorizer = options_.authorizer,
             credentials = std::move(credentials),
             name = (*principal)->name]() -> absl::Status {
      absl::StatusOr<std::shared_ptr<const auth::Principal>> now =
          authorizer->Authenticate(credentials);
      if (!now.ok()) {
        return now.status();
      }
      if ((*now)->name != name) {
        return auth::UnauthenticatedError(
            "ACCESS_REVOKED",
            absl::StrCat("access of principal \"", name,
                         "\" revoked by an access file reload"),
            name);
      }
      return auth::RequirePublish(**now);
    };
  }
  return new PublishStreamReactor(publisher_, options_.max_stream_in_flight,
                                  std::move(admit), &publish_streams_);
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* EventService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  SubscribeReactor::Access access;
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal = Admit(
      *context, "Subscribe", &auth::RequireSubscribe, &access.credentials);
  absl::StatusOr<v1::EventFilter> filter =
      principal.ok() ? auth::ScopeFilter(**principal, request->filter())
                     : absl::StatusOr<v1::EventFilter>(principal.status());
  if (!filter.ok()) {
    if (principal.ok()) {
      LogInfo("call refused", {{"method", "Subscribe"},
                               {"principal", (*principal)->name},
                               {"status", filter.status()}});
    }
    return new RefusedWriteReactor<v1::SubscribeResponse>(filter.status());
  }
  v1::SubscribeRequest scoped = *request;
  *scoped.mutable_filter() = *std::move(filter);
  if (!request->consumer().empty() &&
      request->start_case() == v1::SubscribeRequest::START_NOT_SET) {
    // Resume after the named cursor (one store read on this thread).
    absl::StatusOr<std::string> key =
        CursorKeyFor(**principal, request->consumer());
    absl::StatusOr<uint64_t> seq =
        key.ok() ? log_->GetCursor(*key) : key.status();
    if (seq.ok()) {
      scoped.set_after_seq(*seq);
      ReportCursor(*key, *seq);
    } else if (!absl::IsNotFound(seq.status())) {
      return new RefusedWriteReactor<v1::SubscribeResponse>(seq.status());
    }
  }
  access.principal = *std::move(principal);
  access.authorizer = options_.authorizer;
  return new SubscribeReactor(broker_, scoped, options_.default_heartbeat,
                              std::move(access));
}

grpc::ServerUnaryReactor* EventService::GetEvent(
    grpc::CallbackServerContext* context, const v1::GetEventRequest* request,
    v1::GetEventResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal =
      Admit(*context, "GetEvent", &auth::RequireSubscribe);
  if (!principal.ok()) {
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  if (request->key_case() == v1::GetEventRequest::KEY_NOT_SET) {
    reactor->Finish(ToGrpcStatus(
        absl::InvalidArgumentError("key: one of seq or id is required")));
    return reactor;
  }
  pool_->Post(
      [this, reactor, request, response, principal = *std::move(principal)] {
        absl::StatusOr<v1::Event> event =
            request->key_case() == v1::GetEventRequest::kSeq
                ? log_->GetBySeq(request->seq())
                : log_->GetById(request->type(), request->id());
        if (!event.ok()) {
          reactor->Finish(ToGrpcStatus(event.status()));
          return;
        }
        if (!auth::InScope(*principal, *event)) {
          reactor->Finish(ToGrpcStatus(NotFoundFor(*request)));
          return;
        }
        principal->redactor.Apply(&*event);
        *response->mutable_event() = *std::move(event);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* EventService::ListEvents(
    grpc::CallbackServerContext* context, const v1::ListEventsRequest* request,
    v1::ListEventsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal =
      Admit(*context, "ListEvents", &NoCheck);
  absl::StatusOr<v1::EventFilter> scoped =
      principal.ok() ? auth::ScopeFilter(**principal, request->filter())
                     : absl::StatusOr<v1::EventFilter>(principal.status());
  if (!scoped.ok()) {
    if (principal.ok()) {
      LogInfo("call refused", {{"method", "ListEvents"},
                               {"principal", (*principal)->name},
                               {"status", scoped.status()}});
    }
    reactor->Finish(ToGrpcStatus(scoped.status()));
    return reactor;
  }
  absl::StatusOr<core::EventFilter> filter = core::EventFilter::Create(*scoped);
  absl::StatusOr<uint64_t> token =
      ParseToken("page_token", request->page_token());
  if (!filter.ok() || !token.ok()) {
    reactor->Finish(
        ToGrpcStatus(!filter.ok() ? filter.status() : token.status()));
    return reactor;
  }
  pool_->Post([this, reactor, response, filter = *std::move(filter),
               cursor = std::max(*token, request->after_seq()),
               page_size = static_cast<size_t>(PageSize(request->page_size())),
               principal = *std::move(principal)] {
    const absl::Status status = FillEventsPage(log_, filter, cursor, page_size,
                                               options_.max_scan, response);
    for (v1::Event& event : *response->mutable_events()) {
      principal->redactor.Apply(&event);
    }
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

grpc::ServerUnaryReactor* EventService::ListQuarantined(
    grpc::CallbackServerContext* context,
    const v1::ListQuarantinedRequest* request,
    v1::ListQuarantinedResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal =
      Admit(*context, "ListQuarantined", &auth::RequireAdmin);
  if (!principal.ok()) {
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  absl::StatusOr<uint64_t> token =
      ParseToken("page_token", request->page_token());
  if (!token.ok()) {
    reactor->Finish(ToGrpcStatus(token.status()));
    return reactor;
  }
  pool_->Post([this, reactor, response, after_id = *token,
               page_size = static_cast<size_t>(PageSize(request->page_size())),
               principal = *std::move(principal)] {
    // One more than asked tells whether there is a next page.
    absl::StatusOr<std::vector<v1::QuarantinedEvent>> entries =
        log_->ListQuarantined(after_id, page_size + 1);
    if (!entries.ok()) {
      reactor->Finish(ToGrpcStatus(entries.status()));
      return;
    }
    const bool more = entries->size() > page_size;
    if (more) {
      entries->resize(page_size);
    }
    for (v1::QuarantinedEvent& entry : *entries) {
      principal->redactor.Apply(entry.mutable_event());
      *response->add_events() = std::move(entry);
    }
    if (more && !entries->empty()) {
      response->set_next_page_token(MakeToken(entries->back().quarantine_id()));
    }
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* EventService::Reprocess(
    grpc::CallbackServerContext* context, const v1::ReprocessRequest* request,
    v1::ReprocessResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal =
      Admit(*context, "Reprocess", &auth::RequireAdmin);
  if (!principal.ok()) {
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  publisher_->Reprocess(request->quarantine_id(),
                        AnswerWhenStored(reactor, response));
  return reactor;
}

absl::StatusOr<std::string> EventService::CursorKeyFor(
    const auth::Principal& principal, absl::string_view consumer) const {
  const bool access_control =
      options_.authorizer != nullptr && options_.authorizer->enabled();
  return CursorKey(access_control ? &principal : nullptr, consumer);
}

absl::StatusOr<std::string> EventService::AdmitCursor(
    const grpc::CallbackServerContext& context, absl::string_view method,
    absl::string_view consumer) const {
  absl::StatusOr<std::shared_ptr<const auth::Principal>> principal =
      Admit(context, method, &auth::RequireSubscribe);
  if (!principal.ok()) {
    return principal.status();
  }
  return CursorKeyFor(**principal, consumer);
}

grpc::ServerUnaryReactor* EventService::SaveCursor(
    grpc::CallbackServerContext* context, const v1::SaveCursorRequest* request,
    v1::SaveCursorResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> key =
      AdmitCursor(*context, "SaveCursor", request->consumer());
  if (!key.ok()) {
    reactor->Finish(ToGrpcStatus(key.status()));
    return reactor;
  }
  pool_->Post([this, reactor, request, key = *std::move(key)] {
    if (request->seq() > log_->LastSeq()) {
      v1::FieldViolation violation;
      violation.set_field("seq");
      violation.set_description(absl::StrCat(
          "must be at most the log's last seq, ", log_->LastSeq()));
      reactor->Finish(ToGrpcStatus(core::BadRequestError({violation})));
      return;
    }
    const absl::Status saved = log_->SetCursor(key, request->seq());
    if (saved.ok()) {
      ReportCursor(key, request->seq());
    } else {
      options_.telemetry->OnStoreError(saved.code());
    }
    reactor->Finish(ToGrpcStatus(saved));
  });
  return reactor;
}

void EventService::ReportCursor(absl::string_view key, uint64_t seq) const {
  // "<principal>/<consumer>" with access control (consumer names hold no
  // '/'), the bare consumer name without.
  const size_t slash = key.rfind('/');
  if (slash == absl::string_view::npos) {
    options_.telemetry->OnConsumerCursor("", key, seq);
  } else {
    options_.telemetry->OnConsumerCursor(key.substr(0, slash),
                                         key.substr(slash + 1), seq);
  }
}

grpc::ServerUnaryReactor* EventService::GetCursor(
    grpc::CallbackServerContext* context, const v1::GetCursorRequest* request,
    v1::GetCursorResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> key =
      AdmitCursor(*context, "GetCursor", request->consumer());
  if (!key.ok()) {
    reactor->Finish(ToGrpcStatus(key.status()));
    return reactor;
  }
  pool_->Post([this, reactor, response, key = *std::move(key)] {
    absl::StatusOr<uint64_t> seq = log_->GetCursor(key);
    if (seq.ok()) {
      response->set_seq(*seq);
    }
    reactor->Finish(ToGrpcStatus(seq.status()));
  });
  return reactor;
}

}  // namespace vouchstream::rpc

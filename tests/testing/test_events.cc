#include "tests/testing/test_events.h"

#include <cstdlib>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "transcode/transcoder.h"

#include "common/grpc_status.h"
#include "tests/testing/seed_bodies.h"

namespace vouchstream::testing {
v1::Event SeedEvent(const std::string& id) {
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event =
      transcoder.FromBody("publication.succeeded", SeedBody());
  if (!event.ok()) {
    std::abort();
  }
  event->set_id(id);
  return *std::move(event);
}

v1::Event UntypedEvent(const std::string& id, const std::string& type,
                       const std::string& campaign_id,
                       const std::string& customer_id) {
  v1::Event event;
  event.set_id(id);
  event.set_type(type);
  auto& fields = *event.mutable_data()->mutable_fields();
  (*fields["campaign"].mutable_struct_value()->mutable_fields())["id"]
      .set_string_value(campaign_id);
  (*fields["customer"].mutable_struct_value()->mutable_fields())["id"]
      .set_string_value(customer_id);
  return event;
}

absl::StatusOr<v1::PublishResponse> Publish(v1::EventService::Stub& stub,
                                            const v1::Event& event) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::PublishRequest request;
  *request.mutable_event() = event;
  v1::PublishResponse response;
  const grpc::Status status = stub.Publish(&context, request, &response);
  if (!status.ok()) {
    return common::FromGrpcStatus(status);
  }
  return response;
}

absl::StatusOr<std::vector<uint64_t>> PublishMany(
    v1::EventService::Stub& stub, const std::vector<v1::Event>& events) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(120));
  auto stream = stub.PublishStream(&context);
  std::thread writer([&] {
    v1::PublishStreamRequest request;
    for (size_t i = 0; i < events.size(); ++i) {
      request.set_request_id(i);
      *request.mutable_event() = events[i];
      if (!stream->Write(request)) {
        break;
      }
    }
    stream->WritesDone();
  });
  std::vector<uint64_t> seqs(events.size(), 0);
  absl::Status error;
  v1::PublishStreamResponse ack;
  size_t acks = 0;
  while (stream->Read(&ack)) {
    ++acks;
    if (ack.request_id() >= events.size()) {
      error = absl::InternalError("ack for an unknown request_id");
    } else if (ack.has_error()) {
      error = absl::Status(static_cast<absl::StatusCode>(ack.error().code()),
                           ack.error().message());
    } else {
      seqs[ack.request_id()] = ack.ok().seq();
    }
  }
  writer.join();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) {
    return absl::UnavailableError(status.error_message());
  }
  if (!error.ok()) {
    return error;
  }
  if (acks != events.size()) {
    return absl::InternalError(
        absl::StrCat(acks, " acks for ", events.size(), " events"));
  }
  return seqs;
}

Subscriber::Subscriber(v1::EventService::Stub& stub,
                       const v1::SubscribeRequest& request,
                       absl::Duration timeout) {
  context_.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  reader_ = stub.Subscribe(&context_, request);
}

Subscriber::~Subscriber() {
  if (!ended_) {
    context_.TryCancel();
    v1::SubscribeResponse ignored;
    while (reader_->Read(&ignored)) {
    }
    reader_->Finish();
  }
}

bool Subscriber::ReadOne() {
  v1::SubscribeResponse response;
  if (ended_ || !reader_->Read(&response)) {
    return false;
  }
  switch (response.kind_case()) {
    case v1::SubscribeResponse::kEvent:
      received_.seqs.push_back(response.event().seq());
      received_.types.push_back(response.event().type());
      break;
    case v1::SubscribeResponse::kCaughtUp:
      ++received_.caught_up;
      received_.caught_up_at = static_cast<int>(received_.seqs.size());
      break;
    case v1::SubscribeResponse::kHeartbeat:
      ++received_.heartbeats;
      break;
    default:
      break;
  }
  return true;
}

bool Subscriber::ReadUntil(size_t events, int heartbeats) {
  while (received_.seqs.size() < events &&
         (heartbeats < 0 || received_.heartbeats < heartbeats)) {
    if (!ReadOne()) {
      return false;
    }
  }
  return true;
}

bool Subscriber::ReadUntilCaughtUp() {
  while (received_.caught_up == 0) {
    if (!ReadOne()) {
      return false;
    }
  }
  return true;
}

grpc::Status Subscriber::Finish() {
  v1::SubscribeResponse response;
  while (reader_->Read(&response)) {
    if (response.has_event()) {
      received_.seqs.push_back(response.event().seq());
    }
  }
  ended_ = true;
  return reader_->Finish();
}

}  // namespace vouchstream::testing

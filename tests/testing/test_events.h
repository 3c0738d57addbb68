#pragma once
// Events and gRPC helpers shared by the integration tests.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "vouchstream/v1/api.grpc.pb.h"
#include "vouchstream/v1/event.pb.h"

namespace vouchstream::testing {

// The seed body (testdata/voucherify) as a publication.succeeded event,
// transcoded as the gateway does, with id `id`.
v1::Event SeedEvent(const std::string& id);

// An untyped event of `type` about `campaign_id` and `customer_id`.
v1::Event UntypedEvent(const std::string& id, const std::string& type,
                       const std::string& campaign_id,
                       const std::string& customer_id);

// Unary Publish.
absl::StatusOr<v1::PublishResponse> Publish(v1::EventService::Stub& stub,
                                            const v1::Event& event);

// Publishes `events` over one PublishStream; returns the seqs in order.
absl::StatusOr<std::vector<uint64_t>> PublishMany(
    v1::EventService::Stub& stub, const std::vector<v1::Event>& events);

// What a Subscribe stream delivered.
struct Received {
  std::vector<uint64_t> seqs;  // events, in order
  std::vector<std::string> types;
  int caught_up = 0;  // CaughtUp markers seen
  int heartbeats = 0;
  // Index into `seqs` at which the CaughtUp marker came (-1: none).
  int caught_up_at = -1;
};

// Reads `stream` until `events` events arrived (or `heartbeats`
// heartbeats), the stream ends, or `timeout` passes.
class Subscriber {
 public:
  Subscriber(v1::EventService::Stub& stub, const v1::SubscribeRequest& request,
             absl::Duration timeout = absl::Seconds(60));
  ~Subscriber();

  // Reads until `events` events in total, or `heartbeats` heartbeats in
  // total, have been received. False when the stream ended first.
  bool ReadUntil(size_t events, int heartbeats = -1);
  // Reads until the CaughtUp marker arrived.
  bool ReadUntilCaughtUp();
  // Reads until the stream ends; returns its status.
  grpc::Status Finish();
  void Cancel() { context_.TryCancel(); }

  const Received& received() const { return received_; }

 private:
  bool ReadOne();

  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  Received received_;
  bool ended_ = false;
};

}  // namespace vouchstream::testing

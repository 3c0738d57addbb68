#pragma once
// What the service reports as it works, for its metrics: the hooks the
// publisher, the stores and the RPC edge call. The core knows no metrics
// library; service/metrics/service_metrics.h implements this with
// prometheus-cpp. Every hook defaults to doing nothing, so a component
// given no Telemetry uses `Telemetry::None()`.
//
//   telemetry->OnPublished("publication.succeeded",
//                          Telemetry::Outcome::kStored, took);
//
// Implementations must be thread-safe and must not block: hooks run on
// gRPC threads and on the stores' writer threads.

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace vouchstream::core {

class Telemetry {
 public:
  // What became of one published event.
  enum class Outcome {
    kStored,       // appended, a new seq
    kDuplicate,    // the same identity was stored before
    kQuarantined,  // invalid: kept in the quarantine log
    kRefused,      // stored nowhere: malformed type, or the store failed
  };

  virtual ~Telemetry() = default;

  // A Publish (or one PublishStream event) ended with `outcome`, `took`
  // after it arrived.
  virtual void OnPublished(absl::string_view /*type*/, Outcome /*outcome*/,
                           absl::Duration /*took*/) {}
  // The store made `events` events durable in one commit that took `took`.
  virtual void OnCommit(absl::Duration /*took*/, size_t /*events*/) {}
  // A store operation the service asked for (an append, a quarantine
  // write, a cursor save) failed with `code`.
  virtual void OnStoreError(absl::StatusCode /*code*/) {}
  // One request/response with a remote store (a JetStream publish and its
  // ack) took `took`.
  virtual void OnStoreRoundTrip(absl::Duration /*took*/) {}
  // Named consumer `consumer` of `principal` is at `seq` (saved its cursor,
  // or resumed from it).
  virtual void OnConsumerCursor(absl::string_view /*principal*/,
                                absl::string_view /*consumer*/,
                                uint64_t /*seq*/) {}

  // A Telemetry that reports nothing.
  static Telemetry* None() {
    static Telemetry none;
    return &none;
  }
};

}  // namespace vouchstream::core

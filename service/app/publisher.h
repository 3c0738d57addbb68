#pragma once
// The accept path shared by Publish, PublishStream and Reprocess: stamp
// `received_at`, validate, enrich, append; or, for an invalid event, keep it
// in the quarantine log and answer kInvalidArgument with its violations
// (core/bad_request.h). No gRPC here: the reactors turn the result into
// their answers.
//
//   publisher.Publish(std::move(event), [reactor](auto result) {
//     reactor->Finish(ToGrpcStatus(result.status()));
//   });
//
// `done` runs exactly once, on the store's writer thread, on a pool thread
// or (for errors found up front) inline; it must not block.
//
// Thread-safe: all methods may be called from any thread.

#include <cstdint>
#include <string>

#include "absl/time/time.h"

#include "vouchstream/v1/event.pb.h"

#include "service/app/worker_pool.h"
#include "service/core/enricher.h"
#include "service/core/event_log.h"
#include "service/core/telemetry.h"
#include "service/core/validator.h"

namespace vouchstream::app {

class Publisher {
 public:
  using Done = core::EventLog::AppendDone;

  // All pointers must outlive the Publisher; `pool` runs the quarantine
  // writes, which block on the disk. `telemetry` is told the outcome of
  // every Publish and every failed store call.
  Publisher(core::EventLog* log, const core::Validator* validator,
            const core::Enricher* enricher, WorkerPool* pool,
            core::Telemetry* telemetry = core::Telemetry::None());

  // Sets `received_at` to now, then validates, enriches and appends
  // `event`. Invalid: the event and its violations go to the quarantine log
  // and `done` gets kInvalidArgument with a google.rpc.BadRequest payload.
  // A malformed `type` (core::Validator::Admit) is refused the same way but
  // stored nowhere, not even in quarantine.
  void Publish(v1::Event event, Done done);

  // Validates quarantined entry `quarantine_id` again (keeping its original
  // `received_at`) and appends it if it passes now; the entry then records
  // the seq. kNotFound for an unknown id; kInvalidArgument with violations
  // when it still fails. An entry accepted before answers with its seq and
  // `duplicate`.
  void Reprocess(uint64_t quarantine_id, Done done);

 private:
  void Accept(v1::Event event, Done done);
  // `done`, telling telemetry what became of the event first.
  Done Reporting(std::string type, absl::Time began, Done done);

  core::EventLog* const log_;
  const core::Validator* const validator_;
  const core::Enricher* const enricher_;
  WorkerPool* const pool_;
  core::Telemetry* const telemetry_;
};

}  // namespace vouchstream::app

#include "service/app/publisher.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"

#include "common/json_log.h"
#include "common/proto_time.h"
#include "service/core/bad_request.h"

namespace vouchstream::app {
namespace {

using common::LogError;
using common::LogInfo;

google::protobuf::Timestamp Now() {
  return common::ToProtoTimestamp(absl::Now());
}

}  // namespace

Publisher::Publisher(core::EventLog* log, const core::Validator* validator,
                     const core::Enricher* enricher, WorkerPool* pool,
                     core::Telemetry* telemetry)
    : log_(log),
      validator_(validator),
      enricher_(enricher),
      pool_(pool),
      telemetry_(telemetry) {}

Publisher::Done Publisher::Reporting(std::string type, absl::Time began,
                                     Done done) {
  return [this, type = std::move(type), began, done = std::move(done)](
             absl::StatusOr<core::EventLog::AppendResult> result) mutable {
    using Outcome = core::Telemetry::Outcome;
    Outcome outcome = Outcome::kRefused;
    if (result.ok()) {
      outcome = result->duplicate ? Outcome::kDuplicate : Outcome::kStored;
    } else if (!absl::IsInvalidArgument(result.status())) {
      telemetry_->OnStoreError(result.status().code());
    }
    telemetry_->OnPublished(type, outcome, absl::Now() - began);
    done(std::move(result));
  };
}

void Publisher::Publish(v1::Event event, Done done) {
  const absl::Time began = absl::Now();
  *event.mutable_received_at() = common::ToProtoTimestamp(began);
  // Unset only for events stored before the rule was recorded: a publisher
  // that does not say how it made `id` chose it itself.
  if (event.id_rule() == v1::ID_RULE_UNSPECIFIED) {
    event.set_id_rule(v1::ID_RULE_PUBLISHER);
  }
  // A malformed type is refused before anything is written: not even the
  // quarantine keeps it (its type would reach store keys and subjects).
  absl::Status admitted = core::Validator::Admit(event);
  if (!admitted.ok()) {
    telemetry_->OnPublished(event.type(), core::Telemetry::Outcome::kRefused,
                            absl::Now() - began);
    done(std::move(admitted));
    return;
  }
  std::vector<v1::FieldViolation> violations = validator_->Check(event);
  if (violations.empty()) {
    Done reporting = Reporting(event.type(), began, std::move(done));
    Accept(std::move(event), std::move(reporting));
    return;
  }
  absl::Status status = core::BadRequestError(violations);
  v1::QuarantinedEvent entry;
  *entry.mutable_event() = std::move(event);
  for (v1::FieldViolation& violation : violations) {
    *entry.add_field_violations() = std::move(violation);
  }
  *entry.mutable_quarantined_at() = Now();
  // Quarantine blocks until durable: not on the caller's (gRPC) thread.
  pool_->Post([this, began, entry = std::move(entry),
               status = std::move(status), done = std::move(done)]() mutable {
    const std::string id = entry.event().id();
    const std::string type = entry.event().type();
    absl::StatusOr<uint64_t> quarantine_id = log_->Quarantine(std::move(entry));
    if (quarantine_id.ok()) {
      telemetry_->OnPublished(type, core::Telemetry::Outcome::kQuarantined,
                              absl::Now() - began);
      LogInfo("event quarantined", {{"id", id},
                                    {"type", type},
                                    {"quarantine_id", *quarantine_id},
                                    {"status", status}});
    } else {
      // The caller still learns why the event is invalid; the log failure
      // is the operator's to fix.
      telemetry_->OnStoreError(quarantine_id.status().code());
      telemetry_->OnPublished(type, core::Telemetry::Outcome::kRefused,
                              absl::Now() - began);
      LogError("quarantine failed",
               {{"id", id}, {"status", quarantine_id.status()}});
    }
    done(std::move(status));
  });
}

void Publisher::Reprocess(uint64_t quarantine_id, Done done) {
  pool_->Post([this, quarantine_id, done = std::move(done)]() mutable {
    absl::StatusOr<v1::QuarantinedEvent> entry =
        log_->GetQuarantined(quarantine_id);
    if (!entry.ok()) {
      done(entry.status());
      return;
    }
    if (entry->reprocessed_seq() != 0) {
      done(core::EventLog::AppendResult{entry->reprocessed_seq(), true});
      return;
    }
    v1::Event event = std::move(*entry->mutable_event());
    if (!event.has_received_at()) {
      *event.mutable_received_at() = Now();
    }
    absl::Status status = core::BadRequestError(validator_->Check(event));
    if (!status.ok()) {
      done(std::move(status));
      return;
    }
    Accept(std::move(event),
           [this, quarantine_id, done = std::move(done)](
               absl::StatusOr<core::EventLog::AppendResult> result) mutable {
             if (!result.ok()) {
               done(std::move(result));
               return;
             }
             // Runs on the writer thread: the write goes to the pool.
             pool_->Post([this, quarantine_id, result = *result,
                          done = std::move(done)]() mutable {
               absl::Status marked =
                   log_->MarkReprocessed(quarantine_id, result.seq);
               if (!marked.ok()) {
                 telemetry_->OnStoreError(marked.code());
                 LogError("marking a reprocessed event failed",
                          {{"quarantine_id", quarantine_id},
                           {"seq", result.seq},
                           {"status", marked}});
               }
               LogInfo("event reprocessed", {{"quarantine_id", quarantine_id},
                                             {"seq", result.seq},
                                             {"duplicate", result.duplicate}});
               done(result);
             });
           });
  });
}

void Publisher::Accept(v1::Event event, Done done) {
  enricher_->Enrich(&event);
  log_->Append(std::move(event), std::move(done));
}

}  // namespace vouchstream::app

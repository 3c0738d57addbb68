#pragma once
// Checks for the fault tests: read the whole event log back over gRPC and
// hold it against what a webhook load was told, and against what a
// subscriber saw.
//
//   absl::StatusOr<std::vector<v1::Event>> log = ReadWholeLog(*stub);
//   LogAudit audit = AuditLog(load.requests(), *log);
//   EXPECT_TRUE(audit.missing.empty()) << audit.Summary();
//
// Thread-compatible.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "vouchstream/v1/api.grpc.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "tests/testing/seed_bodies.h"  // SeedBody(), kSeedPublicationId
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {

// Every event in the log, in seq order (ListEvents, page by page).
absl::StatusOr<std::vector<v1::Event>> ReadWholeLog(
    v1::EventService::Stub& stub);

// The log against the load's requests. The event id of a bare
// publication.succeeded body is its publication id, i.e. the request's id.
struct LogAudit {
  // Requests answered 2xx, and those of them stored exactly once at the
  // seq their answer named.
  uint64_t acknowledged = 0;
  uint64_t acknowledged_stored = 0;
  // Acknowledged ids not in the log, or at another seq (the first few).
  std::vector<std::string> missing;
  // Events stored although their request got no 2xx (in flight when the
  // fault hit: the sender retries them, and the retry is a duplicate).
  uint64_t stored_unacknowledged = 0;
  // Events whose id was stored before (should be 0).
  uint64_t duplicate_ids = 0;
  // The log's seqs are exactly 1..events.
  bool dense = true;
  uint64_t events = 0;

  std::string Summary() const;
};
LogAudit AuditLog(const std::vector<WebhookLoad::Request>& requests,
                  const std::vector<v1::Event>& log);

// Whether `seqs` is exactly first, first+1, ..., last; otherwise describes
// the first gap or repeat in `problem`.
bool IsContiguous(const std::vector<uint64_t>& seqs, uint64_t first,
                  uint64_t last, std::string* problem);

}  // namespace vouchstream::testing

#include "tests/faults/log_audit.h"

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "common/grpc_status.h"

namespace vouchstream::testing {

absl::StatusOr<std::vector<v1::Event>> ReadWholeLog(
    v1::EventService::Stub& stub) {
  std::vector<v1::Event> events;
  uint64_t after = 0;
  for (;;) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    v1::ListEventsRequest request;
    request.set_after_seq(after);
    request.set_page_size(1000);
    v1::ListEventsResponse response;
    const grpc::Status status = stub.ListEvents(&context, request, &response);
    if (!status.ok()) {
      return absl::Status(common::FromGrpcCode(status.error_code()),
                          absl::StrCat("ListEvents: ", status.error_message()));
    }
    if (response.events().empty()) {
      return events;
    }
    for (v1::Event& event : *response.mutable_events()) {
      after = event.seq();
      events.push_back(std::move(event));
    }
  }
}

LogAudit AuditLog(const std::vector<WebhookLoad::Request>& requests,
                  const std::vector<v1::Event>& log) {
  LogAudit audit;
  audit.events = log.size();
  absl::flat_hash_map<std::string, uint64_t> seq_of_id;
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i].seq() != i + 1) {
      audit.dense = false;
    }
    if (!seq_of_id.emplace(log[i].id(), log[i].seq()).second) {
      ++audit.duplicate_ids;
    }
  }
  constexpr size_t kMissingShown = 10;
  uint64_t unacknowledged_stored = 0;
  for (const WebhookLoad::Request& request : requests) {
    const auto it = seq_of_id.find(request.id);
    if (request.http_status / 100 != 2) {
      unacknowledged_stored += it != seq_of_id.end() ? 1 : 0;
      continue;
    }
    ++audit.acknowledged;
    if (it != seq_of_id.end() && it->second == request.seq) {
      ++audit.acknowledged_stored;
    } else if (audit.missing.size() < kMissingShown) {
      audit.missing.push_back(
          absl::StrCat(request.id, " (answered seq ", request.seq, ", log ",
                       it == seq_of_id.end() ? std::string("none")
                                             : absl::StrCat(it->second),
                       ")"));
    }
  }
  audit.stored_unacknowledged = unacknowledged_stored;
  return audit;
}

std::string LogAudit::Summary() const {
  return absl::StrCat(
      acknowledged_stored, "/", acknowledged,
      " acknowledged webhooks stored exactly once at their seq; ", events,
      " events in the log, seqs ", dense ? "dense" : "NOT dense", ", ",
      duplicate_ids, " duplicate ids, ", stored_unacknowledged,
      " stored but not acknowledged",
      missing.empty() ? "" : "; missing: ", absl::StrJoin(missing, ", "));
}

bool IsContiguous(const std::vector<uint64_t>& seqs, uint64_t first,
                  uint64_t last, std::string* problem) {
  uint64_t want = first;
  for (size_t i = 0; i < seqs.size(); ++i) {
    if (seqs[i] != want) {
      *problem =
          absl::StrCat("at index ", i, " seq ", seqs[i], " where ", want,
                       " was due (", seqs[i] < want ? "duplicate" : "gap", ")");
      return false;
    }
    ++want;
  }
  if (want != last + 1) {
    *problem = absl::StrCat("ends at ", want - 1, ", not ", last);
    return false;
  }
  return true;
}

}  // namespace vouchstream::testing

#include "tests/service/store/store_test_util.h"

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/event.pb.h"

#include "service/core/event_log.h"

namespace vouchstream::store::testing {

v1::Event MakeEvent(const std::string& id, const std::string& type,
                    const std::string& customer_id,
                    const std::string& envelope_id) {
  v1::Event event;
  event.set_id(id);
  event.set_type(type);
  event.set_raw("{\"id\":\"" + id + "\"}");
  if (!customer_id.empty()) {
    event.mutable_enrichment()->set_customer_id(customer_id);
  }
  if (!envelope_id.empty()) {
    event.mutable_envelope()->set_id(envelope_id);
  }
  return event;
}

absl::StatusOr<core::EventLog::AppendResult> AppendAndWait(core::EventLog& log,
                                                           v1::Event event) {
  absl::Notification finished;
  absl::StatusOr<core::EventLog::AppendResult> out =
      absl::UnknownError("append not done");
  log.Append(std::move(event),
             [&](absl::StatusOr<core::EventLog::AppendResult> result) {
               out = std::move(result);
               finished.Notify();
             });
  finished.WaitForNotification();
  return out;
}

core::EventLog::AppendDone AppendCollector::Done(std::string id) {
  return [this, id = std::move(id)](
             absl::StatusOr<core::EventLog::AppendResult> result) {
    absl::MutexLock lock(&mu_);
    results_.push_back({id, std::move(result)});
    --remaining_;
  };
}

void AppendCollector::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* remaining) { return *remaining <= 0; }, &remaining_));
}

std::vector<AppendCollector::Result> AppendCollector::results() const {
  absl::MutexLock lock(&mu_);
  return results_;
}

core::EventLog::CommitListener WriterGate::Listener() {
  return [this](const std::vector<v1::Event>& committed) {
    {
      absl::MutexLock lock(&mu_);
      for (const v1::Event& event : committed) {
        committed_seqs_.push_back(event.seq());
      }
    }
    if (!held_.HasBeenNotified()) {
      held_.Notify();
      open_.WaitForNotification();
    }
  };
}

std::vector<uint64_t> WriterGate::committed_seqs() const {
  absl::MutexLock lock(&mu_);
  return committed_seqs_;
}

}  // namespace vouchstream::store::testing

#pragma once
// The application layer (service/app) over a real SQLite event log in a
// temp dir, with no gRPC server: the publisher and its worker pool, and
// helpers that wait for its callbacks. Shared by the service/app tests.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/event.pb.h"

#include "service/app/publisher.h"
#include "service/app/worker_pool.h"
#include "service/auth/principal.h"
#include "service/core/enricher.h"
#include "service/core/event_log.h"
#include "service/core/validator.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::app {

class AppFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Publishes `event` and waits for the answer.
  absl::StatusOr<core::EventLog::AppendResult> Publish(v1::Event event);
  // Reprocesses quarantined entry `id` and waits for the answer.
  absl::StatusOr<core::EventLog::AppendResult> Reprocess(uint64_t id);

  // A valid untyped event of `type` about campaign `campaign_id`, whose
  // body names customer `customer_id`.
  static v1::Event Untyped(const std::string& id, const std::string& type,
                           const std::string& campaign_id,
                           const std::string& customer_id);
  // One the validator refuses: its envelope id lacks the "whs_" prefix.
  static v1::Event Invalid(const std::string& id);

  // A principal named `name` with the subscribe scope limited to
  // `event_types` (empty: any), redacting `redact` (access-file paths).
  static std::shared_ptr<const auth::Principal> Reader(
      const std::string& name, const std::vector<std::string>& event_types,
      const std::vector<std::string>& redact = {});

  testing::TempDir dir_;
  std::unique_ptr<core::EventLog> log_;
  std::unique_ptr<WorkerPool> pool_;
  core::Validator validator_;
  std::unique_ptr<core::Enricher> enricher_;
  std::unique_ptr<Publisher> publisher_;
};

}  // namespace vouchstream::app

#include "tests/service/app/app_fixture.h"

#include <utility>

#include "absl/synchronization/notification.h"

#include "service/auth/redactor.h"
#include "service/core/reference_data.h"
#include "service/store/sqlite_event_log.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::app {
namespace {

using ::vouchstream::testing::IsOk;

// Runs `start` with a callback and waits for what it is called with.
template <typename Start>
absl::StatusOr<core::EventLog::AppendResult> Wait(Start start) {
  absl::Notification done;
  absl::StatusOr<core::EventLog::AppendResult> answer;
  start([&](absl::StatusOr<core::EventLog::AppendResult> result) {
    answer = std::move(result);
    done.Notify();
  });
  done.WaitForNotification();
  return answer;
}

}  // namespace

void AppFixture::SetUp() {
  store::SqliteEventLog::Options options;
  options.path = dir_.File("events.db");
  options.synchronous = store::SqliteEventLog::Synchronous::kNormal;
  auto log = store::SqliteEventLog::Open(options);
  ASSERT_THAT(log.status(), IsOk());
  log_ = *std::move(log);
  pool_ = std::make_unique<WorkerPool>(2);
  enricher_ = std::make_unique<core::Enricher>(
      std::make_shared<core::ReferenceStore>());
  publisher_ = std::make_unique<Publisher>(log_.get(), &validator_,
                                           enricher_.get(), pool_.get());
}

void AppFixture::TearDown() {
  pool_->Shutdown();
  log_->Shutdown();
}

absl::StatusOr<core::EventLog::AppendResult> AppFixture::Publish(
    v1::Event event) {
  return Wait([&](Publisher::Done done) {
    publisher_->Publish(std::move(event), std::move(done));
  });
}

absl::StatusOr<core::EventLog::AppendResult> AppFixture::Reprocess(
    uint64_t id) {
  return Wait([&](Publisher::Done done) {
    publisher_->Reprocess(id, std::move(done));
  });
}

v1::Event AppFixture::Untyped(const std::string& id, const std::string& type,
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

v1::Event AppFixture::Invalid(const std::string& id) {
  v1::Event event = Untyped(id, "voucher.published", "camp_a", "cust_1");
  event.mutable_envelope()->set_id("r3d3mpt10n");
  return event;
}

std::shared_ptr<const auth::Principal> AppFixture::Reader(
    const std::string& name, const std::vector<std::string>& event_types,
    const std::vector<std::string>& redact) {
  auto reader = std::make_shared<auth::Principal>();
  reader->name = name;
  reader->subscribe.emplace();
  reader->subscribe->event_types = event_types;
  absl::StatusOr<auth::Redactor> redactor = auth::Redactor::Create(redact);
  EXPECT_THAT(redactor.status(), IsOk());
  if (redactor.ok()) {
    reader->redactor = *std::move(redactor);
  }
  return reader;
}

}  // namespace vouchstream::app

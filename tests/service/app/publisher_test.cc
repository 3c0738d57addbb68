// The accept path without a server: publish, quarantine, reprocess
// (service/app/publisher.h) over a real SQLite log.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "service/core/bad_request.h"
#include "tests/service/app/app_fixture.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const v1::FieldViolation& violation : core::FieldViolationsOf(status)) {
    fields.push_back(violation.field());
  }
  return fields;
}

using PublisherTest = AppFixture;

TEST_F(PublisherTest, StoresAValidEventOnceAndStampsIt) {
  auto first = Publish(Untyped("ev_1", "voucher.published", "camp_a", "c1"));
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_EQ(first->seq, 1u);
  EXPECT_FALSE(first->duplicate);

  auto again = Publish(Untyped("ev_1", "voucher.published", "camp_a", "c1"));
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->seq, 1u);
  EXPECT_TRUE(again->duplicate);

  auto stored = log_->GetBySeq(1);
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_TRUE(stored->has_received_at());
  EXPECT_EQ(stored->id_rule(), v1::ID_RULE_PUBLISHER);
  // Enriched before it was appended.
  EXPECT_EQ(stored->enrichment().campaign_id(), "camp_a");
}

TEST_F(PublisherTest, AnInvalidEventIsQuarantinedWithItsViolations) {
  auto answer = Publish(Invalid("ev_bad"));
  EXPECT_THAT(answer.status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(Fields(answer.status()), ElementsAre("envelope.id"));
  EXPECT_EQ(log_->LastSeq(), 0u);

  auto quarantined = log_->ListQuarantined(0, 10);
  ASSERT_THAT(quarantined.status(), IsOk());
  ASSERT_EQ(quarantined->size(), 1u);
  EXPECT_EQ((*quarantined)[0].event().id(), "ev_bad");
  ASSERT_EQ((*quarantined)[0].field_violations_size(), 1);
  EXPECT_EQ((*quarantined)[0].field_violations(0).field(), "envelope.id");
}

TEST_F(PublisherTest, AMalformedTypeIsStoredNowhere) {
  auto answer =
      Publish(Untyped("ev_x", "../../etc/passwd", "camp_a", "cust_1"));
  EXPECT_THAT(answer.status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_EQ(log_->LastSeq(), 0u);
  auto quarantined = log_->ListQuarantined(0, 10);
  ASSERT_THAT(quarantined.status(), IsOk());
  EXPECT_TRUE(quarantined->empty());
}

TEST_F(PublisherTest, ReprocessAppendsAnEntryThatPassesNowOnce) {
  // An entry that passes today's rules, as after a rule change.
  v1::QuarantinedEvent entry;
  *entry.mutable_event() = Untyped("ev_q", "voucher.published", "camp_a", "c1");
  auto id = log_->Quarantine(entry);
  ASSERT_THAT(id.status(), IsOk());

  auto stored = Reprocess(*id);
  ASSERT_THAT(stored.status(), IsOk());
  EXPECT_FALSE(stored->duplicate);
  EXPECT_EQ(log_->GetBySeq(stored->seq)->id(), "ev_q");

  auto again = Reprocess(*id);
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->seq, stored->seq);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(log_->LastSeq(), stored->seq);
}

TEST_F(PublisherTest, ReprocessRefusesWhatStillFailsAndWhatIsUnknown) {
  ASSERT_THAT(Publish(Invalid("ev_bad")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  auto quarantined = log_->ListQuarantined(0, 10);
  ASSERT_THAT(quarantined.status(), IsOk());
  ASSERT_EQ(quarantined->size(), 1u);

  auto still = Reprocess((*quarantined)[0].quarantine_id());
  EXPECT_THAT(still.status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(Fields(still.status()), ElementsAre("envelope.id"));
  EXPECT_EQ(log_->LastSeq(), 0u);

  EXPECT_THAT(Reprocess(999).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("999")));
}

}  // namespace
}  // namespace vouchstream::app

#include "service/core/body_path.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

#include "voucherify/v1/events.pb.h"
#include "vouchstream/v1/event.pb.h"

namespace vouchstream::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kBody[] = R"({
  "campaign": {"id": "camp_1", "voucher": {"code_config": {"prefix": "A-"}}},
  "customer": {"id": "", "metadata": {"region": "EMEA", "tier": 3}},
  "publication": {"customer_id": "cust_2", "metadata": {"region": "APAC"}},
  "vouchers": [{"id": "v_1", "code": "A-1"}, {"id": "v_2", "code": "A-2"}],
  "voucher": {"id": "v_3", "code": "B-3"}
})";

// Every string at `path`, empty ones too.
std::vector<std::string> StringsAt(const google::protobuf::Message& body,
                                   const std::string& path) {
  std::vector<std::string> out;
  ForEachAt(body, path, [&out](const BodyValue& value) {
    if (value.string != nullptr) {
      out.push_back(*value.string);
    }
    return true;
  });
  return out;
}

// The body typed as publication.succeeded and untyped as a Struct: every
// reader must see the same values in both.
class BodyPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(kBody, &typed_).ok());
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(kBody, &untyped_).ok());
  }

  voucherify::v1::PublicationSucceeded typed_;
  google::protobuf::Struct untyped_;
};

TEST_F(BodyPathTest, StringsAtAPathCrossListsTypedOrNot) {
  for (const google::protobuf::Message* body :
       std::vector<const google::protobuf::Message*>{&typed_, &untyped_}) {
    SCOPED_TRACE(body->GetDescriptor()->full_name());
    EXPECT_THAT(StringsAt(*body, "vouchers.code"), ElementsAre("A-1", "A-2"));
    EXPECT_THAT(StringsAt(*body, "voucher.code"), ElementsAre("B-3"));
    EXPECT_THAT(StringsAt(*body, "customer.metadata.region"),
                ElementsAre("EMEA"));
    EXPECT_THAT(StringsAt(*body, "campaign.voucher.code_config.prefix"),
                ElementsAre("A-"));
    // Not a string, not there, or the path goes on past a string.
    EXPECT_THAT(StringsAt(*body, "customer.metadata.tier"), IsEmpty());
    EXPECT_THAT(StringsAt(*body, "order.id"), IsEmpty());
    EXPECT_THAT(StringsAt(*body, "campaign.id.more"), IsEmpty());
    EXPECT_THAT(StringsAt(*body, "no_such_field"), IsEmpty());
  }
}

TEST_F(BodyPathTest, FirstStringSkipsEmptyValues) {
  EXPECT_EQ(FirstStringAt(typed_, "customer.id"), "");
  EXPECT_EQ(FirstStringAt(untyped_, "customer.id"), "");
  EXPECT_EQ(FirstStringAt(typed_, "vouchers.id"), "v_1");
  EXPECT_EQ(FirstStringAt(untyped_, "vouchers.id"), "v_1");
  EXPECT_EQ(FirstStringAt(typed_, "publication.customer_id"), "cust_2");
}

TEST_F(BodyPathTest, ObjectsAreTypedMessagesOrStructs) {
  const auto typed = ObjectsAt(typed_, "vouchers");
  ASSERT_EQ(typed.size(), 2U);
  EXPECT_EQ(typed[0]->GetDescriptor(), voucherify::v1::Voucher::descriptor());
  const auto untyped = ObjectsAt(untyped_, "vouchers");
  ASSERT_EQ(untyped.size(), 2U);
  EXPECT_EQ(untyped[1]->GetDescriptor(),
            google::protobuf::Struct::descriptor());
  EXPECT_EQ(FirstStringAt(*untyped[1], "code"), "A-2");

  // A typed Struct field (metadata) is an object like an untyped one.
  const auto metadata = ObjectsAt(typed_, "publication.metadata");
  ASSERT_EQ(metadata.size(), 1U);
  EXPECT_EQ(FirstStringAt(*metadata[0], "region"), "APAC");
  // The empty path is the body itself.
  EXPECT_THAT(ObjectsAt(typed_, ""), ElementsAre(&typed_));
}

TEST_F(BodyPathTest, VisitStopsWhenAsked) {
  int visits = 0;
  ForEachAt(typed_, "vouchers.code", [&visits](const BodyValue&) {
    ++visits;
    return false;
  });
  EXPECT_EQ(visits, 1);
}

TEST(EventBodyTest, TypedMemberOrDataOrNothing) {
  v1::Event event;
  EXPECT_EQ(EventBody(event), nullptr);
  event.mutable_data();
  EXPECT_EQ(EventBody(event), &event.data());
  event.mutable_publication_succeeded();
  EXPECT_EQ(EventBody(event), &event.publication_succeeded());
}

}  // namespace
}  // namespace vouchstream::core

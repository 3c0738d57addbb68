// Redaction of typed and untyped payloads, `raw` and the envelope.

#include "service/auth/redactor.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::auth {
namespace {

using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

Redactor MustCreate(const std::vector<std::string>& paths) {
  absl::StatusOr<Redactor> redactor = Redactor::Create(paths);
  EXPECT_THAT(redactor.status(), IsOk());
  return redactor.ok() ? *redactor : Redactor();
}

v1::Event Typed() {
  v1::Event event;
  event.set_id("evpub_1");
  event.set_type("publication.succeeded");
  event.set_raw(R"({"customer":{"email":"jack@example.com"}})");
  auto* body = event.mutable_publication_succeeded();
  body->mutable_customer()->set_id("cust_1");
  body->mutable_customer()->set_email("jack@example.com");
  body->mutable_customer()->set_name("Jack");
  (*body->mutable_customer()->mutable_metadata()->mutable_fields())["vip"]
      .set_bool_value(true);
  body->mutable_publication()->mutable_customer()->set_email(
      "jack@example.com");
  body->add_vouchers()->set_code("CODE-1");
  body->add_vouchers()->set_code("CODE-2");
  return event;
}

google::protobuf::Struct* Object(google::protobuf::Struct* parent,
                                 const std::string& key) {
  return (*parent->mutable_fields())[key].mutable_struct_value();
}

TEST(RedactorTest, ClearsTypedFieldsByJsonName) {
  const Redactor redactor = MustCreate(
      {"customer.email", "customer.name", "publication.customer.email",
       "customer.metadata.vip", "vouchers.code"});
  v1::Event event = Typed();
  redactor.Apply(&event);
  const auto& body = event.publication_succeeded();
  EXPECT_FALSE(body.customer().has_email());
  EXPECT_FALSE(body.customer().has_name());
  EXPECT_EQ(body.customer().id(), "cust_1");
  EXPECT_FALSE(body.publication().customer().has_email());
  EXPECT_EQ(body.customer().metadata().fields().count("vip"), 0U);
  ASSERT_EQ(body.vouchers_size(), 2);
  EXPECT_FALSE(body.vouchers(0).has_code());
  EXPECT_FALSE(body.vouchers(1).has_code());
  EXPECT_TRUE(event.raw().empty());
  EXPECT_EQ(event.id(), "evpub_1");
}

TEST(RedactorTest, ClearsFieldsOfEveryTypedPayload) {
  const Redactor redactor = MustCreate({"customer.email", "redemption.id"});
  v1::Event event;
  event.set_type("redemption.succeeded");
  auto* body = event.mutable_redemption_succeeded();
  body->mutable_customer()->set_id("cust_1");
  body->mutable_customer()->set_email("jack@example.com");
  body->mutable_redemption()->set_id("r_1");
  body->mutable_redemption()->set_amount(2500);
  redactor.Apply(&event);
  EXPECT_FALSE(event.redemption_succeeded().customer().has_email());
  EXPECT_EQ(event.redemption_succeeded().customer().id(), "cust_1");
  EXPECT_FALSE(event.redemption_succeeded().redemption().has_id());
  EXPECT_EQ(event.redemption_succeeded().redemption().amount(), 2500);
}

TEST(RedactorTest, ClearsUntypedAndEnvelopeDataByTheSamePaths) {
  const Redactor redactor = MustCreate({"customer.email", "items.sku"});
  v1::Event event;
  event.set_type("redemption.succeeded");
  event.set_raw("body with jack@example.com");
  auto* customer = Object(event.mutable_data(), "customer");
  (*customer->mutable_fields())["email"].set_string_value("jack@example.com");
  (*customer->mutable_fields())["id"].set_string_value("cust_1");
  auto* items =
      (*event.mutable_data()->mutable_fields())["items"].mutable_list_value();
  for (int i = 0; i < 2; ++i) {
    auto* item = items->add_values()->mutable_struct_value();
    (*item->mutable_fields())["sku"].set_string_value("s");
    (*item->mutable_fields())["qty"].set_number_value(1);
  }
  auto* envelope_customer =
      Object(event.mutable_envelope()->mutable_data(), "customer");
  (*envelope_customer->mutable_fields())["email"].set_string_value(
      "jack@example.com");
  redactor.Apply(&event);
  EXPECT_EQ(event.data()
                .fields()
                .at("customer")
                .struct_value()
                .fields()
                .count("email"),
            0U);
  EXPECT_EQ(
      event.data().fields().at("customer").struct_value().fields().count("id"),
      1U);
  for (const auto& item :
       event.data().fields().at("items").list_value().values()) {
    EXPECT_EQ(item.struct_value().fields().count("sku"), 0U);
    EXPECT_EQ(item.struct_value().fields().count("qty"), 1U);
  }
  EXPECT_EQ(event.envelope()
                .data()
                .fields()
                .at("customer")
                .struct_value()
                .fields()
                .count("email"),
            0U);
  EXPECT_TRUE(event.raw().empty());
  EXPECT_EQ(event.DebugString().find("jack@example.com"), std::string::npos);
}

TEST(RedactorTest, WithoutPathsChangesNothing) {
  const Redactor redactor = MustCreate({});
  EXPECT_TRUE(redactor.empty());
  v1::Event event = Typed();
  redactor.Apply(&event);
  EXPECT_EQ(event.SerializeAsString(), Typed().SerializeAsString());
}

TEST(RedactorTest, AbsentPathsClearNothingElse) {
  const Redactor redactor =
      MustCreate({"customer.phone", "nothing.here", "customer.email.deeper"});
  v1::Event event = Typed();
  redactor.Apply(&event);
  v1::Event want = Typed();
  want.clear_raw();  // Any redaction drops the raw body.
  EXPECT_EQ(event.SerializeAsString(), want.SerializeAsString());
}

TEST(RedactorTest, RefusesMalformedPaths) {
  for (const char* path : {"", ".a", "a.", "a..b"}) {
    SCOPED_TRACE(path);
    EXPECT_THAT(Redactor::Create({path}).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("empty segment")));
  }
}

}  // namespace
}  // namespace vouchstream::auth

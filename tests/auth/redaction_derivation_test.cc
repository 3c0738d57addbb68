// Issue 22: enrichment must not repeat what redaction hides. Each enrichment
// field declares the body paths it is computed from
// ((vouchstream.v1.derived_from), options.proto); this test holds the
// declaration to the enricher's behaviour. For every fixture body and every
// path present in it, the path is redacted and the event enriched again:
// each enrichment field that changes must be one the redactor of that path
// clears (Redactor::Hides), or the enricher reads something the contract
// does not declare.

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

#include "service/auth/path_tree.h"
#include "service/auth/redactor.h"
#include "service/core/enricher.h"
#include "service/core/reference_data.h"
#include "service/core/typed_payload.h"
#include "tests/testing/fixture_events.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::auth {
namespace {

namespace pb = google::protobuf;

void StructPaths(const pb::Struct& object, Path* at, std::set<Path>* out);

void ValuePaths(const pb::Value& value, Path* at, std::set<Path>* out) {
  if (value.has_struct_value()) {
    StructPaths(value.struct_value(), at, out);
  } else if (value.has_list_value()) {
    for (const pb::Value& element : value.list_value().values()) {
      ValuePaths(element, at, out);
    }
  }
}

void StructPaths(const pb::Struct& object, Path* at, std::set<Path>* out) {
  for (const auto& [key, value] : object.fields()) {
    at->push_back(key);
    out->insert(*at);
    ValuePaths(value, at, out);
    at->pop_back();
  }
}

// Every path present in `message`: each set field, at every depth, across
// lists and into Struct keys.
void MessagePaths(const pb::Message& message, Path* at, std::set<Path>* out) {
  if (message.GetDescriptor() == pb::Struct::descriptor()) {
    StructPaths(static_cast<const pb::Struct&>(message), at, out);
    return;
  }
  if (message.GetDescriptor() == pb::Value::descriptor()) {
    ValuePaths(static_cast<const pb::Value&>(message), at, out);
    return;
  }
  const pb::Reflection& reflection = *message.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    at->push_back(field->name());
    out->insert(*at);
    if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
        !field->is_map()) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          MessagePaths(reflection.GetRepeatedMessage(message, field, i), at,
                       out);
        }
      } else {
        MessagePaths(reflection.GetMessage(message, field), at, out);
      }
    }
    at->pop_back();
  }
}

// The values at `path` of `message` (crossing lists), as text.
void ValuesAt(const pb::Message& message, const Path& path, size_t at,
              std::vector<std::string>* out) {
  const pb::FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName(path[at]);
  const pb::Reflection& reflection = *message.GetReflection();
  const bool last = at + 1 == path.size();
  if (field->is_repeated()) {
    const int size = reflection.FieldSize(message, field);
    out->push_back(absl::StrCat("size ", size));
    for (int i = 0; i < size; ++i) {
      if (last) {
        std::string text;
        pb::TextFormat::PrintFieldValueToString(message, field, i, &text);
        out->push_back(text);
      } else {
        ValuesAt(reflection.GetRepeatedMessage(message, field, i), path, at + 1,
                 out);
      }
    }
  } else if (last) {
    std::string text;
    pb::TextFormat::PrintFieldValueToString(message, field, -1, &text);
    out->push_back(absl::StrCat(reflection.HasField(message, field), text));
  } else {
    ValuesAt(reflection.GetMessage(message, field), path, at + 1, out);
  }
}

std::vector<std::string> ValuesAt(const v1::Enrichment& enrichment,
                                  const Path& path) {
  std::vector<std::string> out;
  ValuesAt(enrichment, path, 0, &out);
  return out;
}

// Every field of Enrichment, and of the facts of each voucher.
std::vector<Path> EnrichmentFields() {
  std::vector<Path> fields;
  const pb::Descriptor& type = *v1::Enrichment::descriptor();
  for (int f = 0; f < type.field_count(); ++f) {
    fields.push_back({type.field(f)->name()});
  }
  const pb::Descriptor& facts = *v1::VoucherFacts::descriptor();
  for (int f = 0; f < facts.field_count(); ++f) {
    fields.push_back({"vouchers", facts.field(f)->name()});
  }
  return fields;
}

// Every string under a "unit_type" key (the products of UNIT discounts).
void UnitTypes(const pb::Struct& object, std::set<std::string>* out) {
  for (const auto& [key, value] : object.fields()) {
    if (key == "unit_type" && value.has_string_value()) {
      out->insert(value.string_value());
    } else if (value.has_struct_value()) {
      UnitTypes(value.struct_value(), out);
    } else if (value.has_list_value()) {
      for (const pb::Value& element : value.list_value().values()) {
        if (element.has_struct_value()) {
          UnitTypes(element.struct_value(), out);
        }
      }
    }
  }
}

// `"id": {"key": "value"}` for every id, comma-separated.
std::string Facts(const std::set<std::string>& ids, const std::string& key,
                  const std::string& value) {
  std::vector<std::string> entries;
  for (const std::string& id : ids) {
    entries.push_back(
        absl::StrCat("\"", id, "\": {\"", key, "\": \"", value, "\"}"));
  }
  return absl::StrJoin(entries, ",");
}

// An enricher with reference facts for every campaign and product the
// fixtures name, so that `reference` has something to lose.
class RedactionDerivationTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    std::set<std::string> campaigns;
    std::set<std::string> products;
    const core::Enricher plain(nullptr);
    for (const std::string& type : testing::FixtureEventTypes()) {
      absl::StatusOr<v1::Event> event = testing::FixtureEvent(type);
      ASSERT_TRUE(event.ok()) << event.status();
      plain.Enrich(&*event);
      campaigns.insert(event->enrichment().campaign_id());
      UnitTypes(core::TypedPayloadAsStruct(*core::TypedPayload(*event)),
                &products);
    }
    std::string json = absl::StrCat(
        R"({"campaigns": {)", Facts(campaigns, "owner_team", "growth"),
        R"(}, "products": {)", Facts(products, "product_name", "Espresso"),
        "}}");
    dir_ = new testing::TempDir();
    const std::string file = dir_->File("reference.json");
    FILE* out = std::fopen(file.c_str(), "w");
    ASSERT_NE(out, nullptr);
    std::fputs(json.c_str(), out);
    std::fclose(out);
    absl::StatusOr<std::unique_ptr<core::ReferenceStore>> store =
        core::ReferenceStore::Open(file);
    ASSERT_TRUE(store.ok()) << store.status();
    enricher_ = new core::Enricher(
        std::shared_ptr<const core::ReferenceStore>(*std::move(store)));
  }

  static void TearDownTestSuite() {
    delete enricher_;
    delete dir_;
  }

  static testing::TempDir* dir_;
  static core::Enricher* enricher_;
};

testing::TempDir* RedactionDerivationTest::dir_ = nullptr;
core::Enricher* RedactionDerivationTest::enricher_ = nullptr;

TEST_P(RedactionDerivationTest, EveryChangeIsDeclared) {
  absl::StatusOr<v1::Event> base = testing::FixtureEvent(GetParam());
  ASSERT_TRUE(base.ok()) << base.status();
  enricher_->Enrich(&*base);
  std::set<Path> paths;
  Path at;
  MessagePaths(*core::TypedPayload(*base), &at, &paths);
  ASSERT_FALSE(paths.empty());

  const std::vector<Path> fields = EnrichmentFields();
  int changes = 0;
  for (const Path& path : paths) {
    absl::StatusOr<Redactor> redactor = Redactor::Create({JoinPath(path)});
    ASSERT_TRUE(redactor.ok()) << redactor.status();
    v1::Event again = *base;
    redactor->Apply(&again);
    enricher_->Enrich(&again);
    for (const Path& field : fields) {
      if (ValuesAt(base->enrichment(), field) ==
          ValuesAt(again.enrichment(), field)) {
        continue;
      }
      ++changes;
      Path in_event = {"enrichment"};
      in_event.insert(in_event.end(), field.begin(), field.end());
      EXPECT_TRUE(redactor->Hides(in_event).has_value())
          << "redacting " << JoinPath(path) << " changes enrichment."
          << JoinPath(field)
          << ", which does not declare it (derived_from in event.proto)";
    }
  }
  // Where the enrichment has facts from the body, some redaction must have
  // moved them, or the loop above checked nothing.
  if (!base->enrichment().campaign_id().empty() ||
      !base->enrichment().customer_id().empty() ||
      !base->enrichment().vouchers().empty()) {
    EXPECT_GT(changes, 0);
  }
}

// What Hides says is what Apply does: a declared field is cleared.
TEST(RedactionDerivationSeedTest, ClearsDerivedFieldsOfTheIssuesFinding) {
  absl::StatusOr<v1::Event> event =
      testing::FixtureEvent("redemption.succeeded");
  ASSERT_TRUE(event.ok()) << event.status();
  core::Enricher(nullptr).Enrich(&*event);
  ASSERT_FALSE(event->enrichment().customer_region().empty());
  ASSERT_FALSE(event->enrichment().vouchers().empty());
  ASSERT_FALSE(event->enrichment().vouchers(0).code().empty());

  absl::StatusOr<Redactor> redactor =
      Redactor::Create({"customer.metadata", "voucher.code"});
  ASSERT_TRUE(redactor.ok()) << redactor.status();
  redactor->Apply(&*event);
  EXPECT_EQ(event->enrichment().customer_region(), "");
  ASSERT_FALSE(event->enrichment().vouchers().empty());
  EXPECT_EQ(event->enrichment().vouchers(0).code(), "");
  EXPECT_FALSE(event->enrichment().vouchers(0).voucher_id().empty());
  EXPECT_FALSE(event->enrichment().customer_id().empty());
}

INSTANTIATE_TEST_SUITE_P(EveryFamily, RedactionDerivationTest,
                         ::testing::ValuesIn(testing::FixtureEventTypes()),
                         testing::FixtureTestName);

}  // namespace
}  // namespace vouchstream::auth

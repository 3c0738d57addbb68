// The drift check (issue 13): Voucherify's published webhook schemas, as the
// facts snapshot testdata/voucherify/spec/webhooks.facts.json keeps them,
// against the contract's descriptors. For every documented event type with a
// schema, the body schema's properties (through `$ref`, `allOf`, `anyOf`,
// `oneOf` and array `items`) are walked beside the typed payload message:
//
// - a spec property the message lacks is drift ("missing in the proto");
// - a message field that no spec schema it is used for declares, in any
//   event, is drift the other way ("missing in the spec").
//
// Both lists must be empty but for the commented allow-list
// tests/contract/spec_drift_allowlist.txt ("Message.field  # why"). When
// Voucherify publishes a new spec: refresh the snapshot
// (scripts/spec_facts.py), run this test, and type what it lists.

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "simdjson.h"

#include "vouchstream/v1/event.pb.h"
#include "vouchstream/v1/options.pb.h"

namespace vouchstream::testing {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "Message.field" entries of the allow-list; `#` starts a comment.
std::set<std::string> ReadAllowList(const std::string& path) {
  std::set<std::string> entries;
  std::istringstream lines(ReadFile(path));
  std::string line;
  while (std::getline(lines, line)) {
    const size_t hash = line.find('#');
    const absl::string_view entry =
        absl::StripAsciiWhitespace(absl::string_view(line).substr(0, hash));
    if (!entry.empty()) {
      entries.emplace(entry);
    }
  }
  return entries;
}

// Messages that hold free-form JSON or a scalar in JSON: nothing to walk.
bool IsOpaque(const Descriptor* message) {
  return absl::StartsWith(message->full_name(), "google.protobuf.");
}

class DriftWalker {
 public:
  explicit DriftWalker(simdjson::dom::object schemas) : schemas_(schemas) {}

  // Walks `schema` beside `message`, `path` naming where (for messages).
  void Walk(const std::vector<simdjson::dom::element>& schema,
            const Descriptor* message, const std::string& path, int depth) {
    std::map<std::string, std::vector<simdjson::dom::element>> properties;
    std::string signature;
    for (const simdjson::dom::element& s : schema) {
      Collect(s, &properties, &signature, 0);
    }
    // The same message beside the same schemas has been walked already.
    if (depth > 24 ||
        !walked_.emplace(message->full_name(), signature).second) {
      return;
    }
    std::set<std::string>& declared = declared_[message->full_name()];
    for (auto& [name, sub] : properties) {
      declared.insert(name);
      const FieldDescriptor* field = message->FindFieldByName(name);
      if (field == nullptr) {
        missing_in_proto_.emplace(absl::StrCat(message->full_name(), ".", name),
                                  absl::StrCat(path, ".", name));
        continue;
      }
      if (field->type() != FieldDescriptor::TYPE_MESSAGE ||
          IsOpaque(field->message_type())) {
        continue;
      }
      std::vector<simdjson::dom::element> inner;
      const Descriptor* target = field->message_type();
      if (field->is_map()) {
        // A JSON object keyed freely: its values' schema is
        // `additionalProperties`.
        target =
            field->message_type()->FindFieldByName("value")->message_type();
        if (target == nullptr || IsOpaque(target)) {
          continue;
        }
        for (const simdjson::dom::element& s : sub) {
          MapValues(s, &inner, 0);
        }
      } else {
        for (const simdjson::dom::element& s : sub) {
          Items(s, &inner, 0);
        }
      }
      Walk(inner, target, absl::StrCat(path, ".", name), depth + 1);
    }
    used_.insert(message);
  }

  // Message fields no schema declares, over every place the message was
  // used.
  std::map<std::string, std::string> MissingInSpec() const {
    std::map<std::string, std::string> missing;
    for (const Descriptor* message : used_) {
      const std::set<std::string>& declared =
          declared_.at(message->full_name());
      for (int i = 0; i < message->field_count(); ++i) {
        const std::string& name = message->field(i)->name();
        if (declared.count(name) == 0) {
          missing.emplace(absl::StrCat(message->full_name(), ".", name), "");
        }
      }
    }
    return missing;
  }

  const std::map<std::string, std::string>& missing_in_proto() const {
    return missing_in_proto_;
  }

 private:
  // The schema a `$ref` names.
  bool Resolve(simdjson::dom::element schema, simdjson::dom::element* out,
               std::string* name) {
    std::string_view ref;
    if (schema["$ref"].get(ref) != simdjson::SUCCESS) {
      return false;
    }
    *name = std::string(ref);
    return schemas_[ref].get(*out) == simdjson::SUCCESS;
  }

  // The properties `schema` declares, through refs and combinators.
  void Collect(simdjson::dom::element schema,
               std::map<std::string, std::vector<simdjson::dom::element>>* out,
               std::string* signature, int depth) {
    if (depth > 16) {
      return;
    }
    simdjson::dom::element target;
    std::string name;
    if (Resolve(schema, &target, &name)) {
      absl::StrAppend(signature, name, ";");
      Collect(target, out, signature, depth + 1);
    }
    for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
      simdjson::dom::array parts;
      if (schema[combinator].get(parts) == simdjson::SUCCESS) {
        for (simdjson::dom::element part : parts) {
          Collect(part, out, signature, depth + 1);
        }
      }
    }
    simdjson::dom::object properties;
    if (schema["properties"].get(properties) == simdjson::SUCCESS) {
      for (auto [key, value] : properties) {
        (*out)[std::string(key)].push_back(value);
        absl::StrAppend(signature, absl::string_view(key.data(), key.size()),
                        ",");
      }
    }
  }

  // The schemas of the values of an object schema (`additionalProperties`),
  // through refs and combinators.
  void MapValues(simdjson::dom::element schema,
                 std::vector<simdjson::dom::element>* out, int depth) {
    if (depth > 16) {
      return;
    }
    simdjson::dom::element values;
    if (schema["additionalProperties"].get(values) == simdjson::SUCCESS &&
        values.is_object()) {
      out->push_back(values);
    }
    simdjson::dom::element target;
    std::string name;
    if (Resolve(schema, &target, &name)) {
      MapValues(target, out, depth + 1);
    }
    for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
      simdjson::dom::array parts;
      if (schema[combinator].get(parts) == simdjson::SUCCESS) {
        for (simdjson::dom::element part : parts) {
          MapValues(part, out, depth + 1);
        }
      }
    }
  }

  // `schema` itself, or, for an array (through refs and combinators), its
  // items: what a message field holds.
  void Items(simdjson::dom::element schema,
             std::vector<simdjson::dom::element>* out, int depth) {
    if (depth > 16) {
      return;
    }
    simdjson::dom::element items;
    if (schema["items"].get(items) == simdjson::SUCCESS) {
      Items(items, out, depth + 1);
      return;
    }
    simdjson::dom::element target;
    std::string name;
    if (Resolve(schema, &target, &name)) {
      simdjson::dom::element nested;
      if (target["items"].get(nested) == simdjson::SUCCESS) {
        Items(nested, out, depth + 1);
        return;
      }
    }
    for (const char* combinator : {"anyOf", "oneOf"}) {
      simdjson::dom::array parts;
      if (schema[combinator].get(parts) == simdjson::SUCCESS) {
        for (simdjson::dom::element part : parts) {
          Items(part, out, depth + 1);
        }
      }
    }
    out->push_back(schema);
  }

  simdjson::dom::object schemas_;
  std::set<std::pair<std::string, std::string>> walked_;
  std::map<std::string, std::set<std::string>> declared_;
  std::set<const Descriptor*> used_;
  // "Message.field" -> the first place it was seen.
  std::map<std::string, std::string> missing_in_proto_;
};

// type string -> its payload field, from the `event_type` options.
std::map<std::string, const FieldDescriptor*> TypedFields() {
  std::map<std::string, const FieldDescriptor*> fields;
  const google::protobuf::OneofDescriptor* payload =
      v1::Event::descriptor()->FindOneofByName("payload");
  for (int i = 0; i < payload->field_count(); ++i) {
    const FieldDescriptor* field = payload->field(i);
    const std::string& type = field->options().GetExtension(v1::event_type);
    if (!type.empty()) {
      fields.emplace(type, field);
    }
  }
  return fields;
}

class SpecDriftTest : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = ReadFile(VS_TESTDATA_DIR "/spec/webhooks.facts.json");
    ASSERT_FALSE(text_.empty()) << "cannot read the facts snapshot";
    ASSERT_EQ(parser_.parse(text_).get(root_), simdjson::SUCCESS);
  }

  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

TEST_F(SpecDriftTest, EveryTypeWithASchemaHasATypedPayload) {
  const std::map<std::string, const FieldDescriptor*> typed = TypedFields();
  simdjson::dom::object types;
  ASSERT_EQ(root_["event_types"].get(types), simdjson::SUCCESS);
  std::vector<std::string> untyped;
  size_t with_schema = 0;
  for (auto [type, key] : types) {
    if (key.is_null()) {
      continue;
    }
    ++with_schema;
    if (typed.count(std::string(type)) == 0) {
      untyped.emplace_back(type);
    }
  }
  EXPECT_EQ(with_schema, 72U);
  EXPECT_THAT(untyped, ::testing::IsEmpty());
}

TEST_F(SpecDriftTest, ProtoAndSpecAgreeButForTheAllowList) {
  const std::map<std::string, const FieldDescriptor*> typed = TypedFields();
  simdjson::dom::object types;
  simdjson::dom::object webhooks;
  simdjson::dom::object schemas;
  ASSERT_EQ(root_["event_types"].get(types), simdjson::SUCCESS);
  ASSERT_EQ(root_["webhooks"].get(webhooks), simdjson::SUCCESS);
  ASSERT_EQ(root_["schemas"].get(schemas), simdjson::SUCCESS);
  DriftWalker walker(schemas);
  for (auto [type, key] : types) {
    std::string_view webhook;
    if (key.get(webhook) != simdjson::SUCCESS) {
      continue;
    }
    std::string_view body;
    ASSERT_EQ(webhooks[webhook].get(body), simdjson::SUCCESS) << webhook;
    simdjson::dom::element schema;
    ASSERT_EQ(schemas[body].get(schema), simdjson::SUCCESS) << body;
    const auto field = typed.find(std::string(type));
    if (field == typed.end()) {
      continue;  // EveryTypeWithASchemaHasATypedPayload reports it.
    }
    walker.Walk({schema}, field->second->message_type(),
                std::string(field->second->name()), 0);
  }
  const std::set<std::string> allowed =
      ReadAllowList(VS_SOURCE_DIR "/tests/contract/spec_drift_allowlist.txt");
  std::vector<std::string> missing_in_proto;
  for (const auto& [entry, where] : walker.missing_in_proto()) {
    if (allowed.count(entry) == 0) {
      missing_in_proto.push_back(absl::StrCat(entry, "  # at ", where));
    }
  }
  std::vector<std::string> missing_in_spec;
  for (const auto& [entry, unused] : walker.MissingInSpec()) {
    if (allowed.count(entry) == 0) {
      missing_in_spec.push_back(entry);
    }
  }
  EXPECT_THAT(missing_in_proto, ::testing::IsEmpty())
      << "spec properties the proto lacks:\n"
      << absl::StrJoin(missing_in_proto, "\n");
  EXPECT_THAT(missing_in_spec, ::testing::IsEmpty())
      << "proto fields no spec schema declares:\n"
      << absl::StrJoin(missing_in_spec, "\n");
  // Entries that no longer match anything are stale: drop them.
  std::vector<std::string> stale;
  const std::map<std::string, std::string> spec_side = walker.MissingInSpec();
  for (const std::string& entry : allowed) {
    if (walker.missing_in_proto().count(entry) == 0 &&
        spec_side.count(entry) == 0) {
      stale.push_back(entry);
    }
  }
  EXPECT_THAT(stale, ::testing::IsEmpty())
      << "allow-list entries that match no drift any more:\n"
      << absl::StrJoin(stale, "\n");
}

}  // namespace
}  // namespace vouchstream::testing

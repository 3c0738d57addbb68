// Behaviour of the walker that the differential test cannot state: the
// exact messages and paths of its errors, and the unknown-field report.

#include "gateway/message_filler.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testdata/json_mapping.pb.h"

#include "gateway/json_document.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::gateway {
namespace {

using ::testing::ElementsAre;
using ::vouchstream::testing::AllTypes;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

absl::Status FillAllTypes(const std::string& json, AllTypes& message,
                          std::vector<std::string>& unknown) {
  JsonDocument document(64);
  absl::StatusOr<simdjson::dom::element> root = document.Parse(json);
  if (!root.ok()) {
    return root.status();
  }
  MessageFiller filler;
  JsonPath path;
  return filler.Fill(*root, message, path, unknown);
}

TEST(MessageFillerTest, ErrorsNameThePathAndTheProblem) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case kCases[] = {
      {R"({"flag": "yes"})", "flag: expected a boolean, got string"},
      {R"({"r_nested": [{}, {"a": "x"}]})",
       R"(r_nested[1].a: expected an integer, got string "x")"},
      {R"({"color": "BLUE"})",
       R"(color: unknown enum value "BLUE" for vouchstream.testing.AllTypes.Color)"},
      {R"({"ts": "2024-02-30T00:00:00Z"})",
       R"(ts: invalid Timestamp "2024-02-30T00:00:00Z")"},
      {R"({"i32": 2147483648})", "i32: integer 2147483648 is out of range"},
      {R"({"nested": 5})", "nested: expected an object (Nested), got number"},
      {R"({"r_i32": 5})", "r_i32: expected an array, got number"},
      {R"({"r_i32": [1, null]})",
       "r_i32[1]: null is not allowed in a repeated field"},
      {R"({"choice_text": "a", "choice_number": 1})",
       R"(choice_number: oneof "choice" already has "choice_text" set)"},
      {R"({"m_i32_str": {"x": "a"}})", "m_i32_str.x: map key is not a valid"},
      {R"([])", "root: expected an object (AllTypes), got array"},
      {R"({"maybe": 1, "maybe": 2})", "maybe: duplicate key"},
      {R"({"st": {"k": 1, "k": 2}})", "st.k: duplicate key"},
      {R"({"m_str_i32": {"k": 1, "k": 2}})", "m_str_i32.k: duplicate key"},
      {R"({"nested": {"": 1}})", "nested: empty key"},
  };
  for (const Case& c : kCases) {
    AllTypes message;
    std::vector<std::string> unknown;
    EXPECT_THAT(FillAllTypes(c.json, message, unknown),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         ::testing::StartsWith(c.message)))
        << c.json;
  }
}

TEST(MessageFillerTest, ReportsUnknownKeysAtEveryDepth) {
  AllTypes message;
  std::vector<std::string> unknown;
  ASSERT_THAT(FillAllTypes(R"({"extra": {"deep": 1}, "i32": 4,
        "nested": {"a": 1, "new_field": null, "child": {"zz": []}},
        "r_nested": [{}, {"b": "x", "more": 2}],
        "st": {"free": {"form": 1}}})",
                           message, unknown),
              IsOk());
  EXPECT_THAT(unknown, ElementsAre("extra", "nested.new_field",
                                   "nested.child.zz", "r_nested[1].more"));
  EXPECT_EQ(message.i32(), 4);
  EXPECT_EQ(message.r_nested(1).b(), "x");
  EXPECT_TRUE(message.st().fields().contains("free"));
}

TEST(MessageFillerTest, NullLeavesFieldsUnsetButValuesNull) {
  AllTypes message;
  std::vector<std::string> unknown;
  ASSERT_THAT(FillAllTypes(R"({"maybe": null, "nested": null, "val": null,
                              "m_value": {"k": null}})",
                           message, unknown),
              IsOk());
  EXPECT_FALSE(message.has_maybe());
  EXPECT_FALSE(message.has_nested());
  EXPECT_TRUE(message.has_val());
  EXPECT_TRUE(message.val().has_null_value());
  EXPECT_TRUE(message.m_value().at("k").has_null_value());
}

TEST(MessageFillerTest, AcceptsBothFieldNameForms) {
  AllTypes message;
  std::vector<std::string> unknown;
  ASSERT_THAT(FillAllTypes(R"({"snakeCaseName": "x"})", message, unknown),
              IsOk());
  EXPECT_EQ(message.snake_case_name(), "x");
  EXPECT_TRUE(unknown.empty());
}

TEST(MessageFillerTest, ReusedFillerStartsClean) {
  JsonDocument document(64);
  MessageFiller filler;
  JsonPath path;
  for (int i = 0; i < 3; ++i) {
    AllTypes message;
    std::vector<std::string> unknown;
    absl::StatusOr<simdjson::dom::element> root =
        document.Parse(R"({"x": 1, "i64": "7"})");
    ASSERT_THAT(root, IsOk());
    ASSERT_THAT(filler.Fill(*root, message, path, unknown), IsOk());
    EXPECT_THAT(unknown, ElementsAre("x"));
    EXPECT_EQ(message.i64(), 7);
    EXPECT_EQ(path.ToString(), "");
  }
}

}  // namespace
}  // namespace vouchstream::gateway

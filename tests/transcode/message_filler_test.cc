// Behaviour of the walker that the differential test cannot state: the
// exact messages and paths of its errors, and the unknown-field report.

#include "transcode/message_filler.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testdata/json_mapping.pb.h"
#include "transcode/json_document.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::transcode {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::vouchstream::testing::AllTypes;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

absl::Status FillAllTypes(const std::string& json, AllTypes& message,
                          std::vector<std::string>& unknown,
                          std::vector<MessageFiller::OddValue>* odd = nullptr) {
  JsonDocument document(64);
  absl::StatusOr<simdjson::dom::element> root = document.Parse(json);
  if (!root.ok()) {
    return root.status();
  }
  MessageFiller::Options options;
  if (odd != nullptr) {
    options.odd_values = MessageFiller::OddValues::kKeepAsUnknown;
  }
  MessageFiller filler(options);
  filler.set_source(json);
  JsonPath path;
  absl::Status status = filler.Fill(*root, message, path, unknown);
  if (odd != nullptr) {
    *odd = filler.TakeOddValues();
  }
  return status;
}

MATCHER_P2(OddValueIs, path, reason, "") {
  *result_listener << "{\"" << arg.path << "\", \"" << arg.reason << "\"}";
  return arg.path == path && arg.reason == reason;
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

// One case per kind of odd value. Every body also carries `text` and `i64`,
// which must be typed whatever happens to the odd value. In kRefuse mode the
// same body is refused for the same reason.
TEST(MessageFillerTest, KeepsOddValuesAsUnknownAndTypesTheRest) {
  struct Case {
    const char* json;  // The odd part, inside {"text": "kept", ..., "i64": 7}.
    const char* path;
    const char* reason;
    bool (*left_out)(const AllTypes&);  // The odd value is not in `message`.
  };
  const Case kCases[] = {
      {R"("flag": "yes")", "flag", "expected a boolean, got string",
       [](const AllTypes& m) { return !m.flag(); }},
      {R"("text2": 1, "flag": {})", "flag", "expected a boolean, got object",
       [](const AllTypes& m) { return !m.flag(); }},
      {R"("nested": 5)", "nested", "expected an object (Nested), got number",
       [](const AllTypes& m) { return !m.has_nested(); }},
      {R"("nested": {"child": [], "a": 3})", "nested.child",
       "expected an object (Nested), got array",
       [](const AllTypes& m) {
         return m.nested().a() == 3 && !m.nested().has_child();
       }},
      {R"("r_i32": 5)", "r_i32", "expected an array, got number",
       [](const AllTypes& m) { return m.r_i32().empty(); }},
      {R"("r_i32": [1, "x", 3])", "r_i32[1]",
       R"(expected an integer, got string "x")",
       [](const AllTypes& m) {
         return m.r_i32_size() == 2 && m.r_i32(0) == 1 && m.r_i32(1) == 3;
       }},
      {R"("r_i32": [1, null])", "r_i32[1]",
       "null is not allowed in a repeated field",
       [](const AllTypes& m) { return m.r_i32_size() == 1; }},
      {R"("r_nested": [{"a": 1}, true, {"b": "x"}])", "r_nested[1]",
       "expected an object (Nested), got boolean",
       [](const AllTypes& m) {
         return m.r_nested_size() == 2 && m.r_nested(1).b() == "x";
       }},
      {R"("r_color": ["RED", "BLUE"])", "r_color[1]",
       R"(unknown enum value "BLUE" for vouchstream.testing.AllTypes.Color)",
       [](const AllTypes& m) { return m.r_color_size() == 1; }},
      {R"("color": "BLUE")", "color",
       R"(unknown enum value "BLUE" for vouchstream.testing.AllTypes.Color)",
       [](const AllTypes& m) {
         return m.color() == AllTypes::COLOR_UNSPECIFIED;
       }},
      {R"("i32": 1.5)", "i32", "expected an integer, got 1.5",
       [](const AllTypes& m) { return m.i32() == 0; }},
      {R"("maybe": 1e-400)", "maybe", "expected an integer, got 1e-400",
       [](const AllTypes& m) { return !m.has_maybe(); }},
      {R"("i32": 2147483648)", "i32", "integer 2147483648 is out of range",
       [](const AllTypes& m) { return m.i32() == 0; }},
      {R"("u32": -1)", "u32", "integer -1 is out of range",
       [](const AllTypes& m) { return m.u32() == 0; }},
      {R"("flt": 1e39)", "flt", "number 1e+39 is out of range for a float",
       [](const AllTypes& m) { return m.flt() == 0; }},
      {R"("data": "!!")", "data", "expected base64 bytes",
       [](const AllTypes& m) { return m.data().empty(); }},
      {R"("ts": "2024-02-30T00:00:00Z")", "ts",
       R"(invalid Timestamp "2024-02-30T00:00:00Z" (want RFC 3339 from year )"
       R"(0001 to 9999, e.g. 2024-02-01T12:54:33.174Z))",
       [](const AllTypes& m) { return !m.has_ts(); }},
      {R"("ts": {})", "ts", "expected a string, got object",
       [](const AllTypes& m) { return !m.has_ts(); }},
      {R"("dur": "1")", "dur",
       R"(invalid Duration "1" (want seconds with an "s" suffix and at most )"
       R"(nine fractional digits, e.g. 1.5s))",
       [](const AllTypes& m) { return !m.has_dur(); }},
      {R"("dur": "315576000001s")", "dur",
       R"(expected a Duration within +-315576000000s, got "315576000001s")",
       [](const AllTypes& m) { return !m.has_dur(); }},
      // The last key counts, as in protobuf: an odd one unsets the field.
      {R"("dur": "1s", "dur": "315576000001s")", "dur",
       R"(expected a Duration within +-315576000000s, got "315576000001s")",
       [](const AllTypes& m) { return !m.has_dur(); }},
      {R"("i32": 5, "i32": "x")", "i32",
       R"(expected an integer, got string "x")",
       [](const AllTypes& m) { return m.i32() == 0; }},
      {R"("nested": {"a": 1}, "nested": 5)", "nested",
       "expected an object (Nested), got number",
       [](const AllTypes& m) { return !m.has_nested(); }},
      {R"("w_bool": "x")", "w_bool", "expected a boolean, got string",
       [](const AllTypes& m) { return !m.has_w_bool(); }},
      {R"("st": [])", "st", "expected an object, got array",
       [](const AllTypes& m) { return !m.has_st(); }},
      {R"("st": {"k": 1, "k": 2})", "st.k", "duplicate key",
       [](const AllTypes& m) {
         return m.st().fields().at("k").number_value() == 1;
       }},
      {R"("m_i32_str": {"x": "a", "1": "b"})", "m_i32_str.x",
       "map key is not a valid int32",
       [](const AllTypes& m) {
         return m.m_i32_str_size() == 1 && m.m_i32_str().at(1) == "b";
       }},
      {R"("m_str_i32": {"a": "x", "b": 2})", "m_str_i32.a",
       R"(expected an integer, got string "x")",
       [](const AllTypes& m) {
         return m.m_str_i32_size() == 1 && m.m_str_i32().at("b") == 2;
       }},
      {R"("m_str_i32": {"a": null})", "m_str_i32.a",
       "null is not allowed as a map value",
       [](const AllTypes& m) { return m.m_str_i32().empty(); }},
      {R"("m_str_i32": {"a": 1, "a": 2})", "m_str_i32.a", "duplicate key",
       [](const AllTypes& m) { return m.m_str_i32().at("a") == 1; }},
      {R"("m_str_i32": 1)", "m_str_i32", "expected an object (map), got number",
       [](const AllTypes& m) { return m.m_str_i32().empty(); }},
      {R"("choice_text": "a", "choice_number": 1)", "choice_number",
       R"(oneof "choice" already has "choice_text" set)",
       [](const AllTypes& m) { return m.choice_text() == "a"; }},
      {R"("maybe": 1, "maybe": 2)", "maybe", "duplicate key",
       [](const AllTypes& m) { return m.maybe() == 1; }},
      {R"("nested": {"": 1, "a": 2})", "nested.",
       "empty key: a message field always has a name",
       [](const AllTypes& m) { return m.nested().a() == 2; }},
  };
  for (const Case& c : kCases) {
    const std::string json =
        absl::StrCat(R"({"text": "kept", )", c.json, R"(, "i64": 7})");
    AllTypes message;
    std::vector<std::string> unknown;
    std::vector<MessageFiller::OddValue> odd;
    ASSERT_THAT(FillAllTypes(json, message, unknown, &odd), IsOk()) << json;
    EXPECT_THAT(odd, ElementsAre(OddValueIs(c.path, c.reason))) << json;
    EXPECT_THAT(unknown, Contains(c.path)) << json;
    EXPECT_TRUE(c.left_out(message)) << json << "\n" << message.DebugString();
    EXPECT_EQ(message.text(), "kept") << json;
    EXPECT_EQ(message.i64(), 7) << json;

    AllTypes strict;
    std::vector<std::string> strict_unknown;
    EXPECT_THAT(
        FillAllTypes(json, strict, strict_unknown),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.reason)))
        << json;
  }
}

TEST(MessageFillerTest, RootThatIsNotAnObjectIsAnErrorInEveryMode) {
  for (const char* json : {"[]", "5", "\"x\"", "null"}) {
    AllTypes message;
    std::vector<std::string> unknown;
    std::vector<MessageFiller::OddValue> odd;
    EXPECT_THAT(FillAllTypes(json, message, unknown, &odd),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         ::testing::StartsWith("root: expected an object")))
        << json;
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
}  // namespace vouchstream::transcode

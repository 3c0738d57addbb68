#include "transcode/json_document.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::transcode {
namespace {

using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

TEST(JsonDocumentTest, ParsesAndReusesBuffers) {
  JsonDocument document(64);
  absl::StatusOr<simdjson::dom::element> root = document.Parse(R"({"a":1})");
  ASSERT_THAT(root, IsOk());
  EXPECT_TRUE(root->is_object());
  const std::string big = "[" + std::string(10000, ' ') + "1]";
  root = document.Parse(big);
  ASSERT_THAT(root, IsOk());
  EXPECT_TRUE(root->is_array());
}

TEST(JsonDocumentTest, ReportsMalformedJson) {
  JsonDocument document(64);
  EXPECT_THAT(document.Parse(R"({"a":)"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("malformed JSON")));
  EXPECT_THAT(document.Parse(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("empty body")));
  EXPECT_THAT(document.Parse(R"({"a":1} x)"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("malformed JSON")));
}

TEST(JsonDocumentTest, ReportsInvalidUtf8WithItsOffset) {
  JsonDocument document(64);
  const std::string body =
      std::string(R"({"name":"Jack )") + "\xC3\x28" + R"("})";
  EXPECT_THAT(document.Parse(body),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid UTF-8 at byte offset 14")));
}

TEST(JsonDocumentTest, RefusesDeepNestingWithoutRecursing) {
  JsonDocument document(64);
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_THAT(document.Parse(deep),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("deeper than 64 levels")));
  std::string objects;
  for (int i = 0; i < 10000; ++i) {
    objects += R"({"a":)";
  }
  objects += "1" + std::string(10000, '}');
  EXPECT_THAT(document.Parse(objects),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("deeper than 64 levels")));
}

TEST(FirstInvalidUtf8OffsetTest, FindsTheFirstBadByte) {
  struct Case {
    std::string text;
    size_t offset;
  };
  const Case kCases[] = {
      {"plain ascii", 11},
      {"caf\xC3\xA9", 5},        // é
      {"\xF0\x9F\x98\x80!", 5},  // U+1F600
      {"ab\xC0\xAF", 2},         // overlong '/'
      {"ab\xED\xA0\x80", 2},     // surrogate
      {"\xF4\x90\x80\x80", 0},   // above U+10FFFF
      {"abc\xE2\x82", 3},        // truncated
      {"\x80", 0},               // lone continuation
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(FirstInvalidUtf8Offset(c.text), c.offset) << c.text;
  }
}

}  // namespace
}  // namespace vouchstream::transcode

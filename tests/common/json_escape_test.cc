// The one JSON string escaper (issue 23): the gateway's error bodies, the
// service's log lines and the example consumer all print through it.

#include "common/json_escape.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vouchstream::common {
namespace {

struct Case {
  std::string in;
  std::string out;
};

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControlCharacters) {
  const std::vector<Case> cases = {
      {"", R"("")"},
      {"plain", R"("plain")"},
      {"a\"b\\c", R"("a\"b\\c")"},
      {"\n\r\t", R"("\n\r\t")"},
      {std::string("\x00\x01\x1f", 3), R"("\u0000\u0001\u001f")"},
      {"\x7f/", "\"\x7f/\""},  // DEL and '/' need no escape in JSON
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},  // é € 😀 as they are
  };
  for (const auto& c : cases) {
    EXPECT_EQ(JsonQuote(c.in), c.out) << c.in;
  }
}

TEST(JsonEscapeTest, ReplacesEachByteThatIsNotUtf8) {
  const std::vector<Case> cases = {
      {"a\x80z", R"("a\ufffdz")"},                  // lone continuation byte
      {"\xc0\xaf", R"("\ufffd\ufffd")"},            // overlong '/'
      {"\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},  // surrogate U+D800
      {"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},  // > U+10FFFF
      {"\xe2\x82", R"("\ufffd\ufffd")"},                      // truncated
      {"\xff\"", R"("\ufffd\"")"},  // escaping goes on after a bad byte
  };
  for (const auto& c : cases) {
    EXPECT_EQ(JsonQuote(c.in), c.out) << c.in;
  }
}

TEST(JsonEscapeTest, AppendsAfterWhatIsThere) {
  std::string out = "{\"msg\":";
  AppendJsonString("hi", &out);
  EXPECT_EQ(out, R"({"msg":"hi")");
}

}  // namespace
}  // namespace vouchstream::common

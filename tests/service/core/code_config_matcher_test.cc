#include "service/core/code_config_matcher.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::core {
namespace {

using ::testing::HasSubstr;
using ::voucherify::v1::CodeConfig;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

CodeConfig Config(const char* prefix, const char* pattern, const char* charset,
                  const char* postfix = "") {
  CodeConfig config;
  config.set_prefix(prefix);
  config.set_pattern(pattern);
  config.set_charset(charset);
  config.set_postfix(postfix);
  return config;
}

struct MatchCase {
  const char* name;
  CodeConfig config;
  const char* code;
  bool matches;
};

const MatchCase kMatchCases[] = {
    // The seed: prefix "ZERO-", pattern "#", charset digits.
    {"SeedCode", Config("ZERO-", "#", "0123456789"), "ZERO-8", true},
    {"SeedTooLong", Config("ZERO-", "#", "0123456789"), "ZERO-12", false},
    {"SeedLetter", Config("ZERO-", "#", "0123456789"), "ZERO-a", false},
    {"SeedPrefixOnly", Config("ZERO-", "#", "0123456789"), "ZERO-", false},
    {"ImportedCode", Config("ZERO-", "#", "0123456789"), "BLACKFRIDAY", false},
    {"CaseMatters", Config("ZERO-", "#", "0123456789"), "zero-8", false},
    // Regex metacharacters in every literal part are literal.
    {"MetacharsInPrefix", Config("A.B*(", "##", "XY"), "A.B*(XY", true},
    {"MetacharDotIsNotAny", Config("A.B*(", "##", "XY"), "AxB*(XY", false},
    {"MetacharsInPostfix", Config("", "#", "1", "$^|)"), "1$^|)", true},
    {"LiteralsInPattern", Config("", "##-##.#", "ab"), "ab-ba.a", true},
    {"PatternDotIsNotAny", Config("", "##-##.#", "ab"), "ab-baxa", false},
    // Class metacharacters in the charset are members, not syntax.
    {"CharsetBracket", Config("", "###", "]^-\\"), "]-\\", true},
    {"CharsetRangeIsNotARange", Config("", "#", "a-z"), "m", false},
    {"CharsetCaretIsNotNegation", Config("", "#", "^a"), "b", false},
    {"CharsetUtf8", Config("", "##", "\xc3\xa9x"), "x\xc3\xa9", true},
    {"Postfix", Config("SUMMER-", "####", "ABCD", "-2024"), "SUMMER-ABCD-2024",
     true},
    {"PostfixMissing", Config("SUMMER-", "####", "ABCD", "-2024"),
     "SUMMER-ABCD", false},
};

class CodeConfigMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(CodeConfigMatchTest, MatchesAsExpected) {
  const MatchCase& c = GetParam();
  absl::StatusOr<CodeConfigMatcher> matcher =
      CodeConfigMatcher::Compile(c.config);
  ASSERT_THAT(matcher, IsOk());
  EXPECT_EQ(matcher->Matches(c.code), c.matches) << matcher->pattern();
}

INSTANTIATE_TEST_SUITE_P(Cases, CodeConfigMatchTest,
                         ::testing::ValuesIn(kMatchCases),
                         [](const auto& info) { return info.param.name; });

TEST(CodeConfigMatcherTest, LengthWithoutPatternAndDefaultCharset) {
  CodeConfig config;
  config.set_length(8);
  absl::StatusOr<CodeConfigMatcher> matcher =
      CodeConfigMatcher::Compile(config);
  ASSERT_THAT(matcher, IsOk());
  EXPECT_TRUE(matcher->Matches("aB3dE6gH"));
  EXPECT_FALSE(matcher->Matches("aB3dE6g"));
  EXPECT_FALSE(matcher->Matches("aB3dE6g!"));
}

TEST(CodeConfigMatcherTest, EmptyConfigIsAnError) {
  EXPECT_THAT(
      CodeConfigMatcher::Compile(CodeConfig()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("code_config")));
}

TEST(CodeConfigMatcherTest, AbsurdPatternIsAnErrorNotACrash) {
  CodeConfig config;
  config.set_pattern(std::string(5000, '#'));
  EXPECT_THAT(CodeConfigMatcher::Compile(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot compile")));
}

TEST(CodeConfigMatcherCacheTest, ReusesAndBoundsEntries) {
  CodeConfigMatcherCache cache(CodeConfigMatcherCache::Options{2});
  ASSERT_THAT(cache.Get(Config("A", "#", "1")), IsOk());
  ASSERT_THAT(cache.Get(Config("A", "#", "1")), IsOk());
  EXPECT_EQ(cache.size(), 1U);
  // The parts are delimited in the key: "A"+"B#" is not "AB"+"#".
  ASSERT_THAT(cache.Get(Config("AB", "#", "1")), IsOk());
  absl::StatusOr<CodeConfigMatcher> other = cache.Get(Config("A", "B#", "1"));
  ASSERT_THAT(other, IsOk());
  EXPECT_TRUE(other->Matches("AB1"));
  EXPECT_LE(cache.size(), 2U);
}

TEST(CodeConfigMatcherCacheTest, ManyThreadsAtOnce) {
  CodeConfigMatcherCache cache(CodeConfigMatcherCache::Options{8});
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string prefix = std::to_string((i + t) % 16) + "-";
        absl::StatusOr<CodeConfigMatcher> m =
            cache.Get(Config(prefix.c_str(), "#", "7"));
        EXPECT_TRUE(m.ok() && m->Matches(prefix + "7"));
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_LE(cache.size(), 8U);
}

}  // namespace
}  // namespace vouchstream::core

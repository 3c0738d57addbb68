#include "service/core/code_config_matcher.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vouchstream::core {
namespace {

// Voucherify's documented default when a campaign gives no charset.
constexpr absl::string_view kDefaultCharset =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Generous for any real code, small enough that a hostile config cannot make
// the service allocate much.
constexpr int64_t kMaxRegexMemory = 1 << 20;

// An RE2 character class holding exactly the characters of `charset`. ASCII
// punctuation is escaped (RE2 reads `\` + punctuation as the literal), other
// ASCII bytes that are not letters or digits are written as `\x{..}`, and
// UTF-8 sequences are copied whole, so that each stays one code point.
std::string CharacterClass(absl::string_view charset) {
  std::string out = "[";
  for (char c : charset) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || absl::ascii_isalnum(byte)) {
      out.push_back(c);
    } else if (absl::ascii_ispunct(byte)) {
      out.push_back('\\');
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "\\x{%02x}", byte);
    }
  }
  out.push_back(']');
  return out;
}

std::string Expression(const voucherify::v1::CodeConfig& config) {
  const absl::string_view charset =
      config.charset().empty() ? kDefaultCharset : config.charset();
  const std::string character_class = CharacterClass(charset);
  std::string pattern = config.pattern();
  if (pattern.empty() && config.length() > 0) {
    pattern.assign(static_cast<size_t>(config.length()), '#');
  }

  std::string out = RE2::QuoteMeta(config.prefix());
  // Runs of `#` become one class with a count; everything else is literal.
  size_t i = 0;
  while (i < pattern.size()) {
    size_t end = i;
    if (pattern[i] == '#') {
      while (end < pattern.size() && pattern[end] == '#') {
        ++end;
      }
      absl::StrAppend(&out, character_class);
      if (end - i > 1) {
        absl::StrAppend(&out, "{", end - i, "}");
      }
    } else {
      while (end < pattern.size() && pattern[end] != '#') {
        ++end;
      }
      absl::StrAppend(&out, RE2::QuoteMeta(pattern.substr(i, end - i)));
    }
    i = end;
  }
  absl::StrAppend(&out, RE2::QuoteMeta(config.postfix()));
  return out;
}

// Unambiguous: every part is length-prefixed.
std::string CacheKey(const voucherify::v1::CodeConfig& config) {
  return absl::StrCat(
      config.prefix().size(), ":", config.prefix(), config.pattern().size(),
      ":", config.pattern(), config.charset().size(), ":", config.charset(),
      config.postfix().size(), ":", config.postfix(), config.length());
}

}  // namespace

absl::StatusOr<CodeConfigMatcher> CodeConfigMatcher::Compile(
    const voucherify::v1::CodeConfig& config) {
  if (config.prefix().empty() && config.postfix().empty() &&
      config.pattern().empty() && config.length() <= 0) {
    return absl::InvalidArgumentError(
        "code_config: no prefix, postfix, pattern or length");
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kMaxRegexMemory);
  auto re = std::make_shared<const RE2>(Expression(config), options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "code_config: cannot compile \"", re->pattern(), "\": ", re->error()));
  }
  return CodeConfigMatcher(std::move(re));
}

bool CodeConfigMatcher::Matches(absl::string_view code) const {
  return RE2::FullMatch(re2::StringPiece(code.data(), code.size()), *re_);
}

absl::StatusOr<CodeConfigMatcher> CodeConfigMatcherCache::Get(
    const voucherify::v1::CodeConfig& config) {
  std::string key = CacheKey(config);
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = matchers_.find(key);
    if (it != matchers_.end()) {
      return it->second;
    }
  }
  // Compile outside the lock; two threads racing on a new config both
  // compile, and the first insert wins.
  absl::StatusOr<CodeConfigMatcher> matcher =
      CodeConfigMatcher::Compile(config);
  if (!matcher.ok()) {
    return matcher;
  }
  absl::MutexLock lock(&mu_);
  if (matchers_.size() >= options_.max_entries) {
    matchers_.clear();
  }
  return matchers_.try_emplace(std::move(key), *std::move(matcher))
      .first->second;
}

size_t CodeConfigMatcherCache::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return matchers_.size();
}

}  // namespace vouchstream::core

#include "transcode/json_integer.h"

#include <cstddef>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::transcode {
namespace {

// The run of ASCII digits at `text[*at]`, advancing `*at` past it.
absl::string_view Digits(absl::string_view text, size_t* at) {
  const size_t begin = *at;
  while (*at < text.size() && absl::ascii_isdigit(text[*at])) {
    ++*at;
  }
  return text.substr(begin, *at - begin);
}

// A JSON number cut into its parts: -?whole(.fraction)?(e[+-]?exponent)?
struct NumberParts {
  bool negative = false;
  absl::string_view whole;
  absl::string_view fraction;
  int64_t exponent = 0;
};

// Exponents beyond +-10^12 are saturated: any digit string that fits in
// memory is then far below 1 or far above 2^64 either way.
int64_t ReadExponent(absl::string_view digits, bool negative) {
  constexpr int64_t kExponentCap = 1'000'000'000'000;
  int64_t exponent = 0;
  for (const char c : digits) {
    if (exponent < kExponentCap) {
      exponent = exponent * 10 + (c - '0');
    }
  }
  return negative ? -exponent : exponent;
}

// `text` cut into its parts, or false when it is not a JSON number.
bool SplitNumber(absl::string_view text, NumberParts& parts) {
  size_t at = 0;
  if (at < text.size() && text[at] == '-') {
    parts.negative = true;
    ++at;
  }
  parts.whole = Digits(text, &at);
  if (parts.whole.empty() ||
      (parts.whole.size() > 1 && parts.whole[0] == '0')) {
    return false;
  }
  if (at < text.size() && text[at] == '.') {
    ++at;
    parts.fraction = Digits(text, &at);
    if (parts.fraction.empty()) {
      return false;
    }
  }
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    bool negative_exponent = false;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
      negative_exponent = text[at] == '-';
      ++at;
    }
    const absl::string_view digits = Digits(text, &at);
    if (digits.empty()) {
      return false;
    }
    parts.exponent = ReadExponent(digits, negative_exponent);
  }
  return at == text.size();
}

}  // namespace

absl::StatusOr<JsonInteger> ParseJsonInteger(absl::string_view text) {
  const auto not_integer = [text] {
    return absl::InvalidArgumentError(
        absl::StrCat("expected an integer, got ", absl::CHexEscape(text)));
  };
  NumberParts parts;
  if (!SplitNumber(text, parts)) {
    return not_integer();
  }
  JsonInteger out;
  out.negative = parts.negative;
  const absl::string_view whole = parts.whole;
  const absl::string_view fraction = parts.fraction;
  const int64_t exponent = parts.exponent;

  // The value is digits(whole fraction) * 10^(exponent - |fraction|). Drop
  // leading zeros, and fold trailing zeros into the exponent.
  const size_t count = whole.size() + fraction.size();
  const auto digit = [&](size_t k) {
    return k < whole.size() ? whole[k] : fraction[k - whole.size()];
  };
  size_t first = 0;
  while (first < count && digit(first) == '0') {
    ++first;
  }
  if (first == count) {
    return out;  // Zero, in any form ("0.0", "-0e5").
  }
  size_t last = count - 1;
  while (digit(last) == '0') {
    --last;
  }
  const int64_t scale = exponent - static_cast<int64_t>(fraction.size()) +
                        static_cast<int64_t>(count - 1 - last);
  if (scale < 0) {
    return not_integer();  // The last significant digit is a fraction.
  }
  // 10^20 > 2^64: more digits than 20 cannot fit.
  if (static_cast<int64_t>(last - first + 1) + scale > 20) {
    out.overflow = true;
    return out;
  }
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t magnitude = 0;
  const auto push = [&](unsigned d) {
    if (magnitude > (kMax - d) / 10) {
      out.overflow = true;
    }
    magnitude = magnitude * 10 + d;
  };
  for (size_t k = first; k <= last; ++k) {
    push(static_cast<unsigned>(digit(k) - '0'));
  }
  for (int64_t k = 0; k < scale; ++k) {
    push(0);
  }
  out.magnitude = magnitude;
  return out;
}

}  // namespace vouchstream::transcode

#include "common/utf8.h"

#include <cstdint>

namespace vouchstream::common {

namespace {

// The length of the UTF-8 sequence that `lead` starts (0 when `lead` cannot
// start one), and the range its second byte must lie in (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF).
struct SequenceRule {
  size_t length;
  uint8_t second_low;
  uint8_t second_high;
};

SequenceRule RuleFor(uint8_t lead) {
  if (lead < 0x80) {
    return {1, 0, 0};
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    return {2, 0x80, 0xBF};
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    return {3, lead == 0xE0 ? uint8_t{0xA0} : uint8_t{0x80},
            lead == 0xED ? uint8_t{0x9F} : uint8_t{0xBF}};
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    return {4, lead == 0xF0 ? uint8_t{0x90} : uint8_t{0x80},
            lead == 0xF4 ? uint8_t{0x8F} : uint8_t{0xBF}};
  }
  return {0, 0, 0};
}

}  // namespace

size_t FirstInvalidUtf8Offset(absl::string_view text) {
  // Only called on the error path, so a plain scan is fine.
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    const SequenceRule rule = RuleFor(bytes[i]);
    if (rule.length == 0 || i + rule.length > text.size()) {
      return i;
    }
    for (size_t k = 1; k < rule.length; ++k) {
      const uint8_t low = k == 1 && rule.length > 1 ? rule.second_low : 0x80;
      const uint8_t high = k == 1 && rule.length > 1 ? rule.second_high : 0xBF;
      if (bytes[i + k] < low || bytes[i + k] > high) {
        return i;
      }
    }
    i += rule.length;
  }
  return text.size();
}

}  // namespace vouchstream::common

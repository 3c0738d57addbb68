#include "transcode/json_values.h"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace vouchstream::transcode {
namespace {

constexpr absl::string_view kHexDigits = "0123456789abcdef";

// Whether an ASCII byte must go through the escaping path: what 3.21 escapes
// among 0x00-0x7f, and every byte of a multi-byte sequence.
constexpr std::array<bool, 256> MakeNeedsCare() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] =
        c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>';
  }
  return table;
}
constexpr std::array<bool, 256> kNeedsCare = MakeNeedsCare();

void AppendHex4(uint32_t unit, std::string* out) {
  const std::array<char, 6> digits = {'\\',
                                      'u',
                                      kHexDigits[(unit >> 12) & 0xf],
                                      kHexDigits[(unit >> 8) & 0xf],
                                      kHexDigits[(unit >> 4) & 0xf],
                                      kHexDigits[unit & 0xf]};
  out->append(digits.data(), digits.size());
}

// The invisible format characters 3.21 writes as \uXXXX although JSON does
// not require it (they confuse JavaScript and HTML).
bool IsEscapedFormatCharacter(uint32_t cp) {
  return cp == 0xad || cp == 0x6dd || cp == 0x70f || cp == 0x17b4 ||
         cp == 0x17b5 || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
         (cp >= 0x600 && cp <= 0x603) || (cp >= 0x200b && cp <= 0x200f) ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
         (cp >= 0x206a && cp <= 0x206f);
}

// The astral format characters 3.21 writes as a surrogate pair.
bool IsEscapedAstralCharacter(uint32_t cp) {
  return cp == 0xe0001 || (cp >= 0x1d173 && cp <= 0x1d17a) ||
         (cp >= 0xe0020 && cp <= 0xe007f);
}

// Appends code point `cp`, whose UTF-8 bytes in the input are `bytes`.
void AppendCodePoint(uint32_t cp, absl::string_view bytes, std::string* out) {
  if (cp < 0xa0) {
    switch (cp) {
      case '"':
        out->append("\\\"");
        return;
      case '\\':
        out->append("\\\\");
        return;
      case '\b':
        out->append("\\b");
        return;
      case '\t':
        out->append("\\t");
        return;
      case '\n':
        out->append("\\n");
        return;
      case '\f':
        out->append("\\f");
        return;
      case '\r':
        out->append("\\r");
        return;
      default:
        break;
    }
    if (cp < 0x20 || cp >= 0x7f || cp == '<' || cp == '>') {
      AppendHex4(cp, out);
      return;
    }
  } else if (IsEscapedFormatCharacter(cp)) {
    AppendHex4(cp, out);
    return;
  } else if (IsEscapedAstralCharacter(cp)) {
    const uint32_t offset = cp - 0x10000;
    AppendHex4(0xd800 + (offset >> 10), out);
    AppendHex4(0xdc00 + (offset & 0x3ff), out);
    return;
  }
  out->append(bytes.data(), bytes.size());
}

// Reads the UTF-8 sequence at the start of `text` the way 3.21 does: the
// lead byte says the length; overlong forms pass, surrogates and code points
// above U+10FFFF do not. Sets `*cp` and returns the sequence's length, or
// returns minus the number of bytes 3.21 skips for a broken sequence (the
// bytes read up to and including the first one that does not fit).
int ReadSequence(absl::string_view text, uint32_t* cp) {
  const auto lead = static_cast<unsigned char>(text[0]);
  int needed = 0;
  if (lead < 0x80) {
    *cp = lead;
    return 1;
  }
  if (lead < 0xc0 || lead >= 0xf8) {
    return -1;
  }
  if (lead < 0xe0) {
    *cp = lead & 0x1fU;
    needed = 1;
  } else if (lead < 0xf0) {
    *cp = lead & 0x0fU;
    needed = 2;
  } else {
    *cp = lead & 0x07U;
    needed = 3;
  }
  int read = 1;
  for (; needed > 0; --needed) {
    if (static_cast<size_t>(read) >= text.size()) {
      return -read;
    }
    const auto next = static_cast<unsigned char>(text[read]);
    ++read;
    *cp = (*cp << 6) | (next & 0x3fU);
    if (next < 0x80 || next > 0xbf) {
      return -read;
    }
  }
  if ((*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff) {
    return -read;
  }
  return read;
}

// Appends `digits` decimal digits of `value`, zero-padded.
void AppendPadded(int64_t value, int digits, std::string* out) {
  std::array<char, 12> buffer{};
  for (int i = digits - 1; i >= 0; --i) {
    buffer[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buffer.data(), static_cast<size_t>(digits));
}

// ".123", ".123456" or ".123456789" for nanos in [1, 999999999]: as few
// groups of three digits as keep every non-zero digit.
void AppendFraction(uint32_t nanos, std::string* out) {
  out->push_back('.');
  if (nanos % 1000000 == 0) {
    AppendPadded(nanos / 1000000, 3, out);
  } else if (nanos % 1000 == 0) {
    AppendPadded(nanos / 1000, 6, out);
  } else {
    AppendPadded(nanos, 9, out);
  }
}

// printf's "%.<precision>g" in the C locale, into `buffer`; returns the end.
char* FormatGeneral(double value, int precision, char* begin, char* end) {
  return std::to_chars(begin, end, value, std::chars_format::general, precision)
      .ptr;
}

constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31 23:59:59
constexpr int64_t kMaxDurationSeconds = 315576000000;
constexpr int32_t kNanosPerSecond = 1000000000;

}  // namespace

void AppendJsonQuoted(absl::string_view text, std::string* out) {
  out->push_back('"');
  size_t plain_from = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!kNeedsCare[static_cast<unsigned char>(text[i])]) {
      ++i;
      continue;
    }
    out->append(text.data() + plain_from, i - plain_from);
    uint32_t cp = 0;
    const int length = ReadSequence(text.substr(i), &cp);
    if (length > 0) {
      AppendCodePoint(cp, text.substr(i, static_cast<size_t>(length)), out);
      i += static_cast<size_t>(length);
    } else {
      i += static_cast<size_t>(-length);
    }
    plain_from = i;
  }
  out->append(text.data() + plain_from, text.size() - plain_from);
  out->push_back('"');
}

void AppendJsonDouble(double value, std::string* out) {
  // Whole numbers below 10^15 print as integers under "%.15g"; most doubles
  // in events are such amounts, and the integer path skips the read-back.
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    if (value == 0 && std::signbit(value)) {
      out->append("-0");
    } else {
      absl::StrAppend(out, static_cast<int64_t>(value));
    }
    return;
  }
  std::array<char, 32> buffer{};
  char* const begin = buffer.data();
  char* end = FormatGeneral(value, 15, begin, begin + buffer.size());
  double parsed = 0;
  std::from_chars(begin, end, parsed);
  if (parsed != value) {
    end = FormatGeneral(value, 17, begin, begin + buffer.size());
  }
  out->append(begin, static_cast<size_t>(end - begin));
}

void AppendJsonFloat(float value, std::string* out) {
  std::array<char, 32> buffer{};
  char* const begin = buffer.data();
  char* end = FormatGeneral(value, 6, begin, begin + buffer.size() - 1);
  *end = '\0';
  // 3.21 reads back with strtof and also takes ERANGE (a subnormal) as "not
  // the same", so this does too, rather than with std::from_chars.
  errno = 0;
  char* parsed_end = nullptr;
  const float parsed = std::strtof(begin, &parsed_end);
  if (parsed_end != end || errno != 0 || parsed != value) {
    end = FormatGeneral(value, 9, begin, begin + buffer.size());
  }
  out->append(begin, static_cast<size_t>(end - begin));
}

void AppendJsonNumber(double value, bool is_float, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else if (is_float) {
    AppendJsonFloat(static_cast<float>(value), out);
  } else {
    AppendJsonDouble(value, out);
  }
}

void AppendJsonBase64(absl::string_view bytes, std::string* out) {
  static constexpr absl::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const size_t start = out->size();
  out->resize(start + 2 + (bytes.size() + 2) / 3 * 4);
  char* dst = &(*out)[start];
  *dst++ = '"';
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t left = bytes.size();
  for (; left >= 3; left -= 3, src += 3) {
    const uint32_t group =
        (uint32_t{src[0]} << 16) | (uint32_t{src[1]} << 8) | uint32_t{src[2]};
    *dst++ = kAlphabet[group >> 18];
    *dst++ = kAlphabet[(group >> 12) & 0x3f];
    *dst++ = kAlphabet[(group >> 6) & 0x3f];
    *dst++ = kAlphabet[group & 0x3f];
  }
  if (left > 0) {
    const uint32_t group =
        (uint32_t{src[0]} << 16) | (left == 2 ? uint32_t{src[1]} << 8 : 0);
    *dst++ = kAlphabet[group >> 18];
    *dst++ = kAlphabet[(group >> 12) & 0x3f];
    *dst++ = left == 2 ? kAlphabet[(group >> 6) & 0x3f] : '=';
    *dst++ = '=';
  }
  *dst = '"';
}

absl::Status AppendJsonTimestamp(int64_t seconds, int32_t nanos,
                                 std::string* out) {
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("timestamp seconds ", seconds, " out of range"));
  }
  if (nanos < 0 || nanos >= kNanosPerSecond) {
    return absl::InvalidArgumentError(
        absl::StrCat("timestamp nanos ", nanos, " out of range"));
  }
  const absl::CivilSecond time =
      absl::ToCivilSecond(absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
  out->push_back('"');
  AppendPadded(time.year(), 4, out);
  out->push_back('-');
  AppendPadded(time.month(), 2, out);
  out->push_back('-');
  AppendPadded(time.day(), 2, out);
  out->push_back('T');
  AppendPadded(time.hour(), 2, out);
  out->push_back(':');
  AppendPadded(time.minute(), 2, out);
  out->push_back(':');
  AppendPadded(time.second(), 2, out);
  if (nanos != 0) {
    AppendFraction(static_cast<uint32_t>(nanos), out);
  }
  out->append("Z\"");
  return absl::OkStatus();
}

absl::Status AppendJsonDuration(int64_t seconds, int32_t nanos,
                                std::string* out) {
  if (seconds < -kMaxDurationSeconds || seconds > kMaxDurationSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration seconds ", seconds, " out of range"));
  }
  if (nanos <= -kNanosPerSecond || nanos >= kNanosPerSecond) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration nanos ", nanos, " out of range"));
  }
  if (seconds < 0 && nanos > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "duration seconds ", seconds, " and nanos ", nanos, " disagree"));
  }
  if (seconds > 0 && nanos < 0) {
    // The other disagreement 3.21 prints, as the fraction of the nanos read
    // as unsigned (1 s and -5 ns: "1.294967291s"); kept for byte equality.
    const auto as_unsigned = static_cast<uint32_t>(nanos);
    out->push_back('"');
    absl::StrAppend(out, seconds);
    if (as_unsigned % kNanosPerSecond == 0) {
      out->append(".000");
    } else {
      AppendFraction(as_unsigned % kNanosPerSecond, out);
    }
    out->append("s\"");
    return absl::OkStatus();
  }
  out->push_back('"');
  if (seconds < 0 || nanos < 0) {
    out->push_back('-');
  }
  absl::StrAppend(out, seconds < 0 ? -seconds : seconds);
  if (nanos != 0) {
    AppendFraction(static_cast<uint32_t>(nanos < 0 ? -nanos : nanos), out);
  }
  out->append("s\"");
  return absl::OkStatus();
}

}  // namespace vouchstream::transcode

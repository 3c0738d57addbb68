#pragma once
// Exact conversion of a JSON number's text to an integer, for integer fields
// written in fraction or exponent form ("2.147483647e9", "1e2"). The value is
// read from the digits, never through a double, so "1e-400" is not 0,
// "1.0000000000000000001" is not 1, and 9223372036854775807 written as
// "9.223372036854775807e18" is still in range for int64.
//
// Thread-safe: a pure function.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::transcode {

// The integer a JSON number denotes: its sign and magnitude. `overflow` is
// set when the magnitude exceeds 2^64 - 1 (it is then meaningless).
struct JsonInteger {
  bool negative = false;
  uint64_t magnitude = 0;
  bool overflow = false;
};

// Reads `text`, a JSON number (RFC 8259 grammar, no blanks). Errors:
// kInvalidArgument "expected an integer, got <text>" when the number is not
// integral or `text` is not a JSON number.
absl::StatusOr<JsonInteger> ParseJsonInteger(absl::string_view text);

}  // namespace vouchstream::transcode

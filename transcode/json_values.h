#pragma once
// How protobuf 3.21's JSON printer (MessageToJsonString) spells one value,
// byte for byte, appended to a string: JsonPrinter's scalar half. Each
// function appends to `out` and allocates only when `out` grows.
//
//   std::string out;
//   transcode::AppendJsonDouble(0.1, &out);      // 0.1
//   transcode::AppendJsonQuoted("a<b", &out);    // "a\u003cb"
//
// Thread-safe: free functions without state.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace vouchstream::transcode {

// `text` as a JSON string literal, escaped as protobuf 3.21 escapes it:
// `"` and `\`, C0 and C1 controls (\b \t \n \f \r, else \u00XX), `<` and `>`
// (\u003c, \u003e), DEL, and the invisible format characters JavaScript
// mishandles (U+00AD, U+2028, U+FEFF, ...; astral ones as a surrogate pair).
// Bytes that are not UTF-8 are dropped, as 3.21 drops them.
void AppendJsonQuoted(absl::string_view text, std::string* out);

// A finite double as 3.21 prints it: "%.15g", or "%.17g" when that does not
// read back as the same value (1, 0.1, 1e+20, -0, 4.94065645841247e-324).
void AppendJsonDouble(double value, std::string* out);

// A finite float as 3.21 prints it: "%.6g", or "%.9g" when that does not
// read back as the same float.
void AppendJsonFloat(float value, std::string* out);

// A double or float value: the number when finite, else "NaN", "Infinity"
// or "-Infinity" in quotes, as the proto3 JSON mapping writes them.
void AppendJsonNumber(double value, bool is_float, std::string* out);

// `bytes` in standard base64 with padding, in quotes.
void AppendJsonBase64(absl::string_view bytes, std::string* out);

// A google.protobuf.Timestamp as a quoted RFC 3339 UTC time with 0, 3, 6 or
// 9 fractional digits ("2024-02-01T12:54:33.174Z"). Errors:
// kInvalidArgument when `seconds` is outside years 0001..9999 or `nanos`
// outside [0, 999999999].
absl::Status AppendJsonTimestamp(int64_t seconds, int32_t nanos,
                                 std::string* out);

// A google.protobuf.Duration as a quoted "-1.500s". Errors:
// kInvalidArgument when |seconds| > 315,576,000,000, |nanos| > 999,999,999
// or `seconds` < 0 with `nanos` > 0 (seconds > 0 with nanos < 0 prints as
// 3.21 prints it: 1 s and -5 ns is "1.294967291s").
absl::Status AppendJsonDuration(int64_t seconds, int32_t nanos,
                                std::string* out);

}  // namespace vouchstream::transcode

#pragma once
// A JSON string literal from any bytes: `"` and `\` escaped, control
// characters as \n, \r, \t or \u00XX, and every byte that is not UTF-8 as
// U+FFFD (\ufffd), so that the result is always valid JSON (RFC 8259) even
// when the text quotes request bytes. Used by the JSON log lines, the
// gateway's error bodies and the example consumer.
//
//   std::string line = absl::StrCat("{\"msg\":", common::JsonQuote(msg), "}");
//
// Thread-safe: free functions without state.

#include <string>

#include "absl/strings/string_view.h"

namespace vouchstream::common {

// `"` + `text` escaped + `"`, appended to `out`.
void AppendJsonString(absl::string_view text, std::string* out);

// `"` + `text` escaped + `"`.
std::string JsonQuote(absl::string_view text);

}  // namespace vouchstream::common

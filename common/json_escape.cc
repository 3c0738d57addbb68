#include "common/json_escape.h"

#include "absl/strings/str_cat.h"

#include "common/utf8.h"

namespace vouchstream::common {
namespace {

void AppendEscaped(absl::string_view valid_utf8, std::string* out) {
  for (const char c : valid_utf8) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(
              out, "\\u",
              absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad4));
        } else {
          out->push_back(c);
        }
    }
  }
}

}  // namespace

void AppendJsonString(absl::string_view text, std::string* out) {
  out->reserve(out->size() + text.size() + 2);
  out->push_back('"');
  while (!text.empty()) {
    const size_t valid = FirstInvalidUtf8Offset(text);
    AppendEscaped(text.substr(0, valid), out);
    if (valid == text.size()) {
      break;
    }
    *out += "\\ufffd";
    text.remove_prefix(valid + 1);
  }
  out->push_back('"');
}

std::string JsonQuote(absl::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

}  // namespace vouchstream::common

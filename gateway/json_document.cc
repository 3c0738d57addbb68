#include "gateway/json_document.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::gateway {

JsonDocument::JsonDocument(size_t max_depth) : max_depth_(max_depth) {}

absl::StatusOr<simdjson::dom::element> JsonDocument::Parse(
    absl::string_view json) {
  // Capacity grows with the largest document seen; the depth bound stays.
  if (parser_.capacity() < json.size() || parser_.max_depth() != max_depth_) {
    const simdjson::error_code error =
        parser_.allocate(std::max(json.size(), parser_.capacity()), max_depth_);
    if (error != simdjson::SUCCESS) {
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot allocate a parser for ", json.size(),
                       " bytes: ", simdjson::error_message(error)));
    }
  }
  simdjson::dom::element root;
  const simdjson::error_code error =
      parser_.parse(json.data(), json.size()).get(root);
  switch (error) {
    case simdjson::SUCCESS:
      return root;
    case simdjson::UTF8_ERROR:
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid UTF-8 at byte offset ", FirstInvalidUtf8Offset(json)));
    case simdjson::DEPTH_ERROR:
      return absl::InvalidArgumentError(
          absl::StrCat("JSON nests deeper than ", max_depth_, " levels"));
    case simdjson::EMPTY:
      return absl::InvalidArgumentError("empty body: no JSON value");
    case simdjson::MEMALLOC:
      return absl::ResourceExhaustedError("out of memory parsing JSON");
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("malformed JSON: ", simdjson::error_message(error)));
  }
}

size_t FirstInvalidUtf8Offset(absl::string_view text) {
  // Only called on the error path, so a plain scan is fine. Follows RFC 3629:
  // no overlongs, no surrogates, nothing above U+10FFFF.
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    const uint8_t lead = bytes[i];
    size_t length = 0;
    uint8_t low = 0x80;
    uint8_t high = 0xBF;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) {
        low = 0xA0;
      } else if (lead == 0xED) {
        high = 0x9F;
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) {
        low = 0x90;
      } else if (lead == 0xF4) {
        high = 0x8F;
      }
    } else {
      return i;
    }
    if (i + length > size) {
      return i;
    }
    for (size_t k = 1; k < length; ++k) {
      const uint8_t continuation = bytes[i + k];
      const uint8_t lo = k == 1 ? low : 0x80;
      const uint8_t hi = k == 1 ? high : 0xBF;
      if (continuation < lo || continuation > hi) {
        return i;
      }
    }
    i += length;
  }
  return size;
}

}  // namespace vouchstream::gateway

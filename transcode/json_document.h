#pragma once
// Parses JSON text with simdjson into a DOM that stays valid until the next
// Parse() call, turning simdjson's error codes into absl::Status messages that
// say what is wrong and, where it can be known, at which byte offset.
//
// Thread-compatible: one JsonDocument per thread; it reuses its buffers.

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "simdjson.h"

namespace vouchstream::transcode {

class JsonDocument {
 public:
  // Nesting deeper than `max_depth` is refused by simdjson's stage 1, before
  // anything recurses over it.
  explicit JsonDocument(size_t max_depth);

  // The root element of `json`. Errors: kInvalidArgument (malformed JSON,
  // invalid UTF-8, too deep), kResourceExhausted (out of memory).
  absl::StatusOr<simdjson::dom::element> Parse(absl::string_view json);

 private:
  size_t max_depth_;
  simdjson::dom::parser parser_;
};

// The offset of the first byte of `text` that is not valid UTF-8, or
// text.size() when all of it is valid.
size_t FirstInvalidUtf8Offset(absl::string_view text);

}  // namespace vouchstream::transcode

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

#include "common/utf8.h"

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

// Moved to common/ (the gateway's JSON escaping needs it too); kept here
// under its old name for the transcoder and its tests.
using common::FirstInvalidUtf8Offset;

}  // namespace vouchstream::transcode

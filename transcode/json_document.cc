#include "transcode/json_document.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::transcode {

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

}  // namespace vouchstream::transcode

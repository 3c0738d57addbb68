#include "transcode/json_path.h"

#include "absl/strings/str_cat.h"

namespace vouchstream::transcode {

std::string JsonPath::ToString() const {
  std::string out;
  for (const Segment& segment : segments_) {
    if (segment.index != kNoIndex) {
      absl::StrAppend(&out, "[", segment.index, "]");
    } else if (out.empty()) {
      absl::StrAppend(&out, segment.key);
    } else {
      absl::StrAppend(&out, ".", segment.key);
    }
  }
  return out;
}

}  // namespace vouchstream::transcode

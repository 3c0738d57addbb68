#pragma once
// The position of the walker inside a JSON document, kept as a stack of
// segments so that descending costs nothing until a path must be printed
// (for an error or an unknown field). Printed form: `data.vouchers[0].code`.
//
// Thread-compatible. Keys are views into the parsed document and must not
// outlive it.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace vouchstream::transcode {

class JsonPath {
 public:
  void PushKey(absl::string_view key) { segments_.push_back({key, kNoIndex}); }
  void PushIndex(size_t index) { segments_.push_back({{}, index}); }
  void Pop() { segments_.pop_back(); }
  void Clear() { segments_.clear(); }

  // The printed path; "" at the root (callers say "root" in messages).
  std::string ToString() const;

  // The segments, outermost first: each is a key or an array index.
  size_t size() const { return segments_.size(); }
  bool is_index(size_t i) const { return segments_[i].index != kNoIndex; }
  absl::string_view key(size_t i) const { return segments_[i].key; }
  size_t index(size_t i) const { return segments_[i].index; }

 private:
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);
  struct Segment {
    absl::string_view key;
    size_t index;
  };
  std::vector<Segment> segments_;
};

// Pushes a segment for the lifetime of the scope.
class JsonPathScope {
 public:
  JsonPathScope(JsonPath& path, absl::string_view key) : path_(path) {
    path_.PushKey(key);
  }
  JsonPathScope(JsonPath& path, size_t index) : path_(path) {
    path_.PushIndex(index);
  }
  ~JsonPathScope() { path_.Pop(); }
  JsonPathScope(const JsonPathScope&) = delete;
  JsonPathScope& operator=(const JsonPathScope&) = delete;

 private:
  JsonPath& path_;
};

}  // namespace vouchstream::transcode

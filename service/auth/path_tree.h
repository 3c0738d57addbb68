#pragma once
// A set of dotted JSON paths ("customer.metadata.vip") held as a tree of
// their segments, so that one walk of a message or a Struct visits every
// path of the set that is present. A path ending at a node makes the node a
// leaf: whatever lies below it is covered by it.
//
//   PathTree tree;
//   tree.Add(SplitPath("customer.email"));
//   for (const auto& [name, child] : tree.children()) { ... }
//
// Thread-safety: const methods are safe to call from many threads.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace vouchstream::auth {

// A path's segments: "a.b" -> {"a", "b"}.
using Path = std::vector<std::string>;

Path SplitPath(absl::string_view dotted);
std::string JoinPath(const Path& path);

// True when `ancestor` equals `path` or is a prefix of it by whole segments
// ("customer" covers "customer.email"; "cust" does not).
bool Covers(const Path& ancestor, const Path& path);

class PathTree {
 public:
  // Adds `path` (non-empty). A path below a leaf adds nothing; a path above
  // existing ones replaces them.
  void Add(const Path& path);

  bool empty() const { return children_.empty() && !leaf_; }
  // True when a path of the set ends here.
  bool leaf() const { return leaf_; }
  // The next segments, in the order they were first added.
  const std::vector<std::pair<std::string, PathTree>>& children() const {
    return children_;
  }

 private:
  bool leaf_ = false;
  // A vector, not a map: std::vector allows the incomplete element type, and
  // the fan-out is small.
  std::vector<std::pair<std::string, PathTree>> children_;
};

}  // namespace vouchstream::auth

#include "service/auth/path_tree.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace vouchstream::auth {

Path SplitPath(absl::string_view dotted) { return absl::StrSplit(dotted, '.'); }

std::string JoinPath(const Path& path) { return absl::StrJoin(path, "."); }

bool Covers(const Path& ancestor, const Path& path) {
  return ancestor.size() <= path.size() &&
         std::equal(ancestor.begin(), ancestor.end(), path.begin());
}

void PathTree::Add(const Path& path) {
  PathTree* node = this;
  for (const std::string& segment : path) {
    if (node->leaf_) {
      return;  // Already covered by a shorter path.
    }
    auto it = std::find_if(
        node->children_.begin(), node->children_.end(),
        [&segment](const auto& child) { return child.first == segment; });
    if (it == node->children_.end()) {
      node->children_.emplace_back(segment, PathTree());
      it = std::prev(node->children_.end());
    }
    node = &it->second;
  }
  node->leaf_ = true;
  node->children_.clear();
}

}  // namespace vouchstream::auth

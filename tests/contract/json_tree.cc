#include "tests/contract/json_tree.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace vouchstream::testing {
namespace {

using google::protobuf::Value;

bool NumberOf(const Value& value, double* number) {
  if (value.kind_case() == Value::kNumberValue) {
    *number = value.number_value();
    return true;
  }
  return value.kind_case() == Value::kStringValue &&
         absl::SimpleAtod(value.string_value(), number);
}

bool Equivalent(const Value& a, const Value& b, const std::string& at,
                std::string* where) {
  double x = 0;
  double y = 0;
  if ((a.kind_case() == Value::kNumberValue ||
       b.kind_case() == Value::kNumberValue) &&
      NumberOf(a, &x) && NumberOf(b, &y)) {
    if (x == y) {
      return true;
    }
    *where = absl::StrCat(at, ": ", x, " != ", y);
    return false;
  }
  if (a.kind_case() != b.kind_case()) {
    *where = absl::StrCat(at, ": ", PrintJsonTree(a), " != ", PrintJsonTree(b));
    return false;
  }
  switch (a.kind_case()) {
    case Value::kStructValue: {
      const auto& left = a.struct_value().fields();
      const auto& right = b.struct_value().fields();
      for (const auto& [key, value] : left) {
        const auto other = right.find(key);
        if (other == right.end()) {
          *where = absl::StrCat(at, ".", key, ": missing on the right");
          return false;
        }
        if (!Equivalent(value, other->second, absl::StrCat(at, ".", key),
                        where)) {
          return false;
        }
      }
      for (const auto& [key, value] : right) {
        if (left.find(key) == left.end()) {
          *where = absl::StrCat(at, ".", key, ": missing on the left");
          return false;
        }
      }
      return true;
    }
    case Value::kListValue: {
      const auto& left = a.list_value().values();
      const auto& right = b.list_value().values();
      if (left.size() != right.size()) {
        *where = absl::StrCat(at, ": ", left.size(), " != ", right.size(),
                              " elements");
        return false;
      }
      for (int i = 0; i < left.size(); ++i) {
        if (!Equivalent(left[i], right[i], absl::StrCat(at, "[", i, "]"),
                        where)) {
          return false;
        }
      }
      return true;
    }
    default:
      if (a.SerializeAsString() == b.SerializeAsString()) {
        return true;
      }
      *where =
          absl::StrCat(at, ": ", PrintJsonTree(a), " != ", PrintJsonTree(b));
      return false;
  }
}

// Splits `a.b[2].c` into keys and indices ("[2]" kept as "#2").
std::vector<std::string> SplitPath(absl::string_view path) {
  std::vector<std::string> parts;
  std::string current;
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.' || c == '[') {
      if (!current.empty()) {
        parts.push_back(current);
      }
      current = c == '[' ? "#" : "";
    } else if (c == ']') {
      parts.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) {
    parts.push_back(current);
  }
  return parts;
}

}  // namespace

absl::StatusOr<Value> ParseJsonTree(absl::string_view json) {
  Value tree;
  const auto status =
      google::protobuf::util::JsonStringToMessage(std::string(json), &tree);
  if (!status.ok()) {
    return absl::InvalidArgumentError(std::string(status.message()));
  }
  return tree;
}

std::string PrintJsonTree(const Value& tree) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(tree, &json);
  return json;
}

void DropNullsAndEmptyLists(Value& tree) {
  if (tree.has_struct_value()) {
    auto& fields = *tree.mutable_struct_value()->mutable_fields();
    for (auto it = fields.begin(); it != fields.end();) {
      Value& value = it->second;
      DropNullsAndEmptyLists(value);
      const bool drop =
          value.has_null_value() ||
          (value.has_list_value() && value.list_value().values().empty());
      it = drop ? fields.erase(it) : std::next(it);
    }
  } else if (tree.has_list_value()) {
    for (Value& value : *tree.mutable_list_value()->mutable_values()) {
      DropNullsAndEmptyLists(value);
    }
  }
}

void RemovePath(Value& tree, absl::string_view path) {
  const std::vector<std::string> parts = SplitPath(path);
  Value* node = &tree;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    if (part[0] == '#') {
      int index = 0;
      if (!node->has_list_value() ||
          !absl::SimpleAtoi(part.substr(1), &index) || index < 0 ||
          index >= node->list_value().values_size()) {
        return;
      }
      if (last) {
        return;  // Paths name object members, never whole elements.
      }
      node = node->mutable_list_value()->mutable_values(index);
      continue;
    }
    if (!node->has_struct_value()) {
      return;
    }
    auto& fields = *node->mutable_struct_value()->mutable_fields();
    const auto found = fields.find(part);
    if (found == fields.end()) {
      return;
    }
    if (last) {
      fields.erase(found);
      return;
    }
    node = &found->second;
  }
}

bool JsonEquivalent(const Value& a, const Value& b, std::string* where) {
  return Equivalent(a, b, "$", where);
}

}  // namespace vouchstream::testing

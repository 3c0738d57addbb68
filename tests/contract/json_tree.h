#pragma once
// JSON documents as google.protobuf.Value trees, for tests that mutate
// payloads or compare JSON by meaning rather than by spelling.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"

namespace vouchstream::testing {

// Parses any JSON text (protobuf's parser; numbers become doubles).
absl::StatusOr<google::protobuf::Value> ParseJsonTree(absl::string_view json);

// Compact JSON text of `tree`.
std::string PrintJsonTree(const google::protobuf::Value& tree);

// Removes every object member whose value is null, and every member whose
// value is an empty array (proto3 cannot tell an empty list from none),
// recursively.
void DropNullsAndEmptyLists(google::protobuf::Value& tree);

// Removes the member at `path` (printed as by JsonPath: `a.b[2].c`), if any.
void RemovePath(google::protobuf::Value& tree, absl::string_view path);

// Whether `a` and `b` mean the same JSON, where a number equals a string
// holding the same number (proto3 JSON prints 64-bit integers as strings)
// and timestamps are compared as written. On a difference, `where` names it.
bool JsonEquivalent(const google::protobuf::Value& a,
                    const google::protobuf::Value& b, std::string* where);

}  // namespace vouchstream::testing

#pragma once
// The one rule for an event type's name, shared by the gateway (a webhook
// whose type breaks it is refused with 400) and the server (a Publish or
// PublishStream event whose type breaks it is refused with INVALID_ARGUMENT
// and never stored, not even in quarantine). The type becomes part of store
// keys and NATS subjects, so nothing else may reach them.
//
//   if (!common::IsValidEventType(type)) { /* refuse, quoting kEventTypeRule */
//   }
//
// Thread-safe: free functions without state.

#include <cstddef>

#include "absl/strings/string_view.h"

namespace vouchstream::common {

// The longest event type accepted, in bytes.
inline constexpr size_t kMaxEventTypeLength = 128;

// The rule as error messages state it.
inline constexpr absl::string_view kEventTypeRule =
    "must be dot-separated words of a-z, 0-9, _ and - (at most 128 "
    "characters)";

// Whether `type` is a well-formed event type name: dot-separated words of
// lower-case letters, digits, `_` and `-`, at most `kMaxEventTypeLength`
// bytes, e.g. "publication.succeeded". False for "", ".a", "a..b",
// "a/b" (a path) and "Publication.Succeeded".
bool IsValidEventType(absl::string_view type);

}  // namespace vouchstream::common

#pragma once
// Where a byte string stops being UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). Used by the transcoder to name the
// offset of a bad byte, and by the JSON escaper (json_escape.h), which
// replaces such bytes.
//
// Thread-safe: a free function without state.

#include <cstddef>

#include "absl/strings/string_view.h"

namespace vouchstream::common {

// The offset of the first byte of `text` that is not valid UTF-8, or
// text.size() when all of it is valid.
size_t FirstInvalidUtf8Offset(absl::string_view text);

}  // namespace vouchstream::common

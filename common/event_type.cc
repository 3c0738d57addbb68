#include "common/event_type.h"

#include "absl/strings/ascii.h"

namespace vouchstream::common {

bool IsValidEventType(absl::string_view type) {
  if (type.empty() || type.size() > kMaxEventTypeLength ||
      type.front() == '.' || type.back() == '.') {
    return false;
  }
  char previous = 0;
  for (const char c : type) {
    const bool word_char = absl::ascii_islower(c) || absl::ascii_isdigit(c) ||
                           c == '_' || c == '-';
    if (!word_char && c != '.') {
      return false;
    }
    if (c == '.' && previous == '.') {
      return false;
    }
    previous = c;
  }
  return true;
}

}  // namespace vouchstream::common

#include "service/app/cursor_names.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "re2/re2.h"

#include "vouchstream/v1/api.pb.h"

#include "service/core/bad_request.h"

namespace vouchstream::app {

absl::StatusOr<std::string> CursorKey(const auth::Principal* principal,
                                      absl::string_view consumer,
                                      absl::string_view field) {
  static const RE2* const kName = new RE2("[A-Za-z0-9._-]{1,128}");
  if (!RE2::FullMatch(re2::StringPiece(consumer.data(), consumer.size()),
                      *kName)) {
    v1::FieldViolation violation;
    violation.set_field(field.data(), field.size());
    violation.set_description(
        "must be 1 to 128 characters: letters, digits, '.', '_', '-'");
    return core::BadRequestError({violation});
  }
  if (principal == nullptr) {
    return std::string(consumer.begin(), consumer.end());
  }
  return absl::StrCat(principal->name, "/", consumer);
}

}  // namespace vouchstream::app

#include "service/app/page_token.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::app {
namespace {

constexpr absl::string_view kTokenPrefix = "vs1:";

}  // namespace

std::string MakePageToken(uint64_t position) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenPrefix, position));
}

absl::StatusOr<uint64_t> ParsePageToken(absl::string_view field,
                                        absl::string_view token) {
  if (token.empty()) {
    return 0;
  }
  std::string decoded;
  uint64_t position = 0;
  if (!absl::WebSafeBase64Unescape(token, &decoded) ||
      !absl::StartsWith(decoded, kTokenPrefix) ||
      !absl::SimpleAtoi(absl::string_view(decoded).substr(kTokenPrefix.size()),
                        &position)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", token, "\" is not a page token"));
  }
  return position;
}

}  // namespace vouchstream::app

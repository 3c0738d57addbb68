#include "service/auth/mtls_identity.h"

#include <array>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::auth {
namespace {

struct Prefix {
  absl::string_view text;
  MtlsIdentity::Field field;
};

// Lower case only: one spelling per field keeps the file easy to audit.
constexpr std::array<Prefix, 3> kPrefixes = {{
    {"uri:", MtlsIdentity::Field::kUri},
    {"dns:", MtlsIdentity::Field::kDns},
    {"cn:", MtlsIdentity::Field::kCn},
}};

}  // namespace

bool MtlsIdentity::Matches(const MtlsIdentity& presented) const {
  if (field != presented.field) {
    return false;
  }
  if (field == Field::kDns) {
    return absl::EqualsIgnoreCase(value, presented.value);
  }
  return value == presented.value;
}

std::string MtlsIdentity::ToString() const {
  for (const Prefix& prefix : kPrefixes) {
    if (prefix.field == field) {
      return absl::StrCat(prefix.text, value);
    }
  }
  // Every `Field` has a prefix: anything else is a corrupted value.
  std::abort();
}

absl::StatusOr<MtlsIdentity> ParseMtlsIdentity(absl::string_view text) {
  for (const Prefix& prefix : kPrefixes) {
    if (absl::StartsWith(text, prefix.text)) {
      if (text.size() == prefix.text.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("identity \"", text, "\": the value after \"",
                         prefix.text, "\" is empty"));
      }
      return MtlsIdentity{prefix.field,
                          std::string{text.substr(prefix.text.size())}};
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "identity \"", text,
      "\": name the certificate field: uri:..., dns:... or cn:... (e.g. "
      "\"uri:spiffe://example.com/crm\", \"dns:crm.example.com\", "
      "\"cn:crm\")"));
}

}  // namespace vouchstream::auth

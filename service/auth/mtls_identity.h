#pragma once
// A client-certificate identity, typed by the certificate field it names, as
// the access file spells it: `uri:<SAN URI>`, `dns:<SAN DNS name>` or
// `cn:<subject common name>`. A presented identity matches a listed one only
// when both name the same field, so that a certificate carrying the SAN
// `DNS:CN=ops` is not the principal listed as `cn:ops`.
//
//   absl::StatusOr<MtlsIdentity> listed = ParseMtlsIdentity("cn:ops");
//   MtlsIdentity presented{MtlsIdentity::Field::kCn, "ops"};
//   bool same = listed->Matches(presented);  // true
//
// Thread-safe: a value type.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::auth {

struct MtlsIdentity {
  enum class Field { kUri, kDns, kCn };

  Field field = Field::kUri;
  std::string value;

  // True when `presented` names the same field with the same value. DNS
  // names compare without regard to ASCII case (RFC 4343); URIs and common
  // names compare exactly.
  bool Matches(const MtlsIdentity& presented) const;
  // The access file's spelling: "uri:...", "dns:..." or "cn:...".
  std::string ToString() const;
};

// Parses an access file's identity. kInvalidArgument when the field prefix is
// missing or unknown (the message says how to write it) or the value is
// empty.
absl::StatusOr<MtlsIdentity> ParseMtlsIdentity(absl::string_view text);

}  // namespace vouchstream::auth

#pragma once
// What a call presents to prove who it is: the SHA-256 of its bearer token
// (never the token itself) and the identities of its client certificate.
// service/rpc/call_credentials.h builds it from a gRPC call.

#include <optional>
#include <vector>

#include "service/auth/mtls_identity.h"
#include "service/auth/token_hash.h"

namespace vouchstream::auth {

struct Credentials {
  // The `authorization: Bearer <token>` metadata, hashed; nullopt: none.
  std::optional<TokenDigest> token;
  // An `authorization` header that is not "Bearer <token>".
  bool malformed_authorization = false;
  // From a verified client certificate: its SAN URIs, SAN DNS names and
  // subject common name, each typed by the field it came from. Empty without
  // mTLS.
  std::vector<MtlsIdentity> identities;
};

}  // namespace vouchstream::auth

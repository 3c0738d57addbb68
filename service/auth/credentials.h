#pragma once
// What a call presents to prove who it is: the SHA-256 of its bearer token
// (never the token itself) and the identities of its client certificate.
// service/rpc/call_credentials.h builds it from a gRPC call.

#include <optional>
#include <string>
#include <vector>

#include "service/auth/token_hash.h"

namespace vouchstream::auth {

struct Credentials {
  // The `authorization: Bearer <token>` metadata, hashed; nullopt: none.
  std::optional<TokenDigest> token;
  // An `authorization` header that is not "Bearer <token>".
  bool malformed_authorization = false;
  // From a verified client certificate: SAN URIs and DNS names as they are,
  // and "CN=<common name>". Empty without mTLS.
  std::vector<std::string> identities;
};

}  // namespace vouchstream::auth

#pragma once
// Reads what a gRPC call presents to prove who it is: the
// `authorization: Bearer <token>` metadata (hashed at once; the token itself
// is neither kept nor logged) and, with mutual TLS, the verified client
// certificate's identities (SAN URIs and DNS names, "CN=<common name>", and
// the subject as gRPC spells it).
//
//   auth::Credentials credentials = CredentialsOf(*context);
//   auto principal = authorizer->Authenticate(credentials);
//
// Thread-safe: a free function.

#include "grpcpp/grpcpp.h"

#include "service/auth/credentials.h"

namespace vouchstream::rpc {

auth::Credentials CredentialsOf(const grpc::CallbackServerContext& context);

}  // namespace vouchstream::rpc

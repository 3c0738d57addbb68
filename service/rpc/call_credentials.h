#pragma once
// Reads what a gRPC call presents to prove who it is: the
// `authorization: Bearer <token>` metadata (hashed at once; the token itself
// is neither kept nor logged) and, with mutual TLS, the verified client
// certificate's identities (SAN URIs, SAN DNS names and the subject common
// name, each typed by its field: auth/mtls_identity.h).
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

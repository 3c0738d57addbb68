#include "service/rpc/call_credentials.h"

#include <array>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "grpc/grpc_security_constants.h"

#include "service/auth/mtls_identity.h"
#include "service/auth/token_hash.h"

namespace vouchstream::rpc {
namespace {

constexpr absl::string_view kBearer = "bearer ";

absl::string_view View(const grpc::string_ref& ref) {
  return {ref.data(), ref.size()};
}

}  // namespace

auth::Credentials CredentialsOf(const grpc::CallbackServerContext& context) {
  auth::Credentials credentials;
  const auto& metadata = context.client_metadata();
  const auto [first, last] = metadata.equal_range("authorization");
  if (first != last) {
    const absl::string_view value = View(first->second);
    // The scheme is case-insensitive (RFC 9110); one header only.
    if (std::next(first) != last || value.size() <= kBearer.size() ||
        !absl::StartsWithIgnoreCase(value, kBearer)) {
      credentials.malformed_authorization = true;
    } else {
      credentials.token = auth::HashToken(
          absl::StripAsciiWhitespace(value.substr(kBearer.size())));
    }
  }
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    // Each identity keeps the certificate field it came from: gRPC's
    // `x509_subject_alternative_name` mixes URIs, DNS names and addresses,
    // and a subject string can be made to look like anything.
    using Field = auth::MtlsIdentity::Field;
    const std::array<std::pair<const char*, Field>, 3> fields = {{
        {GRPC_PEER_URI_PROPERTY_NAME, Field::kUri},
        {GRPC_PEER_DNS_PROPERTY_NAME, Field::kDns},
        {GRPC_X509_CN_PROPERTY_NAME, Field::kCn},
    }};
    for (const auto& [property, field] : fields) {
      for (const grpc::string_ref& value : auth->FindPropertyValues(property)) {
        credentials.identities.push_back({field, std::string{View(value)}});
      }
    }
  }
  return credentials;
}

}  // namespace vouchstream::rpc

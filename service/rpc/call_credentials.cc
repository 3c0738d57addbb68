#include "service/rpc/call_credentials.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

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
    for (const grpc::string_ref& san :
         auth->FindPropertyValues("x509_subject_alternative_name")) {
      credentials.identities.emplace_back(View(san));
    }
    for (const grpc::string_ref& cn :
         auth->FindPropertyValues("x509_common_name")) {
      credentials.identities.push_back(absl::StrCat("CN=", View(cn)));
    }
    for (const grpc::string_ref& subject :
         auth->FindPropertyValues("x509_subject")) {
      credentials.identities.emplace_back(View(subject));
    }
  }
  return credentials;
}

}  // namespace vouchstream::rpc

#include "service/auth/access_policy.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#include "service/auth/auth_errors.h"

namespace vouchstream::auth {
namespace {

absl::Status Invalid(const std::string& where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::StatusOr<std::shared_ptr<const Principal>> Compile(
    const access::Principal& entry, const std::string& where) {
  auto principal = std::make_shared<Principal>();
  principal->name = entry.name();
  principal->publish = entry.scopes().publish();
  principal->admin = entry.scopes().admin();
  if (entry.scopes().has_subscribe()) {
    const access::SubscribeScope& scope = entry.scopes().subscribe();
    Principal::SubscribeScope& out = principal->subscribe.emplace();
    out.event_types.assign(scope.event_types().begin(),
                           scope.event_types().end());
    out.campaign_ids.assign(scope.campaign_ids().begin(),
                            scope.campaign_ids().end());
    for (const std::string& type : out.event_types) {
      if (type.empty()) {
        return Invalid(where, "scopes.subscribe.event_types: an empty pattern");
      }
    }
    for (const std::string& campaign : out.campaign_ids) {
      if (campaign.empty()) {
        return Invalid(where, "scopes.subscribe.campaign_ids: an empty id");
      }
    }
  }
  absl::StatusOr<Redactor> redactor = Redactor::Create(
      std::vector<std::string>(entry.redact().begin(), entry.redact().end()));
  if (!redactor.ok()) {
    return Invalid(where, redactor.status().message());
  }
  principal->redactor = *std::move(redactor);
  principal->fingerprint = entry.SerializeAsString();
  return principal;
}

}  // namespace

const std::vector<std::string>& DefaultOpenServices() {
  static const auto* const kDefault = new std::vector<std::string>{
      "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection",
      "grpc.reflection.v1.ServerReflection"};
  return *kDefault;
}

absl::StatusOr<std::shared_ptr<const AccessPolicy>> AccessPolicy::Create(
    const AccessConfig& config) {
  std::shared_ptr<AccessPolicy> policy(new AccessPolicy());
  absl::flat_hash_set<std::string> names;
  for (int i = 0; i < config.principals_size(); ++i) {
    const access::Principal& entry = config.principals(i);
    const std::string where = absl::StrCat("principals[", i, "]");
    if (entry.name().empty()) {
      return Invalid(where, "name: is required");
    }
    if (!names.insert(entry.name()).second) {
      return Invalid(
          where, absl::StrCat("name: \"", entry.name(), "\" is listed twice"));
    }
    const std::string named = absl::StrCat(where, " (", entry.name(), ")");
    if (entry.token_sha256().empty() && entry.mtls_identities().empty()) {
      return Invalid(named, "needs token_sha256 or mtls_identities");
    }
    absl::StatusOr<std::shared_ptr<const Principal>> principal =
        Compile(entry, named);
    if (!principal.ok()) {
      return principal.status();
    }
    const size_t index = policy->principals_.size();
    policy->principals_.push_back(*std::move(principal));
    absl::Status added = policy->AddCredentials(entry, index, named);
    if (!added.ok()) {
      return added;
    }
  }
  absl::Status open = policy->SetOpenServices(config);
  if (!open.ok()) {
    return open;
  }
  return std::shared_ptr<const AccessPolicy>(std::move(policy));
}

absl::Status AccessPolicy::AddCredentials(const access::Principal& entry,
                                          size_t index,
                                          const std::string& where) {
  for (int t = 0; t < entry.token_sha256_size(); ++t) {
    absl::StatusOr<TokenDigest> digest =
        ParseTokenDigest(entry.token_sha256(t));
    if (!digest.ok()) {
      return Invalid(where, absl::StrCat("token_sha256[", t, "] ",
                                         digest.status().message()));
    }
    for (const auto& [other, owner] : tokens_) {
      if (DigestsEqual(other, *digest)) {
        return Invalid(
            where, absl::StrCat("token_sha256[", t, "] is also listed by \"",
                                principals_[owner]->name, "\""));
      }
    }
    tokens_.emplace_back(*digest, index);
  }
  for (int i = 0; i < entry.mtls_identities_size(); ++i) {
    const std::string& text = entry.mtls_identities(i);
    if (text.empty()) {
      return Invalid(where, "mtls_identities: an empty identity");
    }
    absl::StatusOr<MtlsIdentity> identity = ParseMtlsIdentity(text);
    if (!identity.ok()) {
      return Invalid(where, absl::StrCat("mtls_identities[", i,
                                         "]: ", identity.status().message()));
    }
    for (const auto& [other, owner] : identities_) {
      if (other.Matches(*identity)) {
        return Invalid(where, absl::StrCat("mtls_identities: \"", text,
                                           "\" is also listed by \"",
                                           principals_[owner]->name, "\""));
      }
    }
    identities_.emplace_back(*std::move(identity), index);
  }
  return absl::OkStatus();
}

absl::Status AccessPolicy::SetOpenServices(const AccessConfig& config) {
  if (!config.has_open_services()) {
    open_services_ = DefaultOpenServices();
    return absl::OkStatus();
  }
  for (int i = 0; i < config.open_services().values_size(); ++i) {
    const auto& value = config.open_services().values(i);
    if (!value.has_string_value() || value.string_value().empty()) {
      return Invalid(absl::StrCat("open_services[", i, "]"),
                     "is not a service name (a non-empty string)");
    }
    open_services_.push_back(value.string_value());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const Principal>> AccessPolicy::Authenticate(
    const Credentials& credentials) const {
  if (credentials.malformed_authorization) {
    return UnauthenticatedError(
        "TOKEN_MALFORMED", "authorization metadata is not \"Bearer <token>\"");
  }
  if (credentials.token.has_value()) {
    // Every hash is compared, match or not, so that the time taken says
    // nothing about which one (or whether one) matched.
    size_t found = principals_.size();
    for (const auto& [digest, index] : tokens_) {
      if (DigestsEqual(digest, *credentials.token)) {
        found = index;
      }
    }
    if (found == principals_.size()) {
      return UnauthenticatedError("TOKEN_UNKNOWN", "unknown bearer token");
    }
    return principals_[found];
  }
  for (const MtlsIdentity& presented : credentials.identities) {
    for (const auto& [identity, index] : identities_) {
      if (identity.Matches(presented)) {
        return principals_[index];
      }
    }
  }
  if (!credentials.identities.empty()) {
    return UnauthenticatedError(
        "IDENTITY_UNKNOWN",
        "no bearer token, and the client certificate names no principal");
  }
  return UnauthenticatedError(
      "TOKEN_MISSING", "missing \"authorization: Bearer <token>\" metadata");
}

bool AccessPolicy::IsOpen(absl::string_view service) const {
  return std::find(open_services_.begin(), open_services_.end(), service) !=
         open_services_.end();
}

}  // namespace vouchstream::auth

// The access file's parser and checks, and who credentials name.

#include "service/auth/access_policy.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

#include "service/auth/access_file.h"
#include "service/auth/auth_errors.h"
#include "service/auth/mtls_identity.h"
#include "service/auth/token_hash.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

std::string Hash(const std::string& token) {
  return DigestHex(HashToken(token));
}

Credentials Token(const std::string& token) {
  Credentials credentials;
  credentials.token = HashToken(token);
  return credentials;
}

std::string Config() {
  return absl::StrReplaceAll(
      R"json({"principals": [
        {"name": "gateway", "token_sha256": ["$GW"],
         "scopes": {"publish": true}},
        {"name": "crm", "token_sha256": ["$CRM"],
         "mtls_identities": ["uri:spiffe://vouchstream.test/client"],
         "scopes": {"subscribe": {"event_types": ["publication.*"]}},
         "redact": ["customer.email"]},
        {"name": "ops", "token_sha256": ["$OPS"],
         "scopes": {"admin": true, "subscribe": {}}}]})json",
      {{"$GW", Hash("gw-token")},
       {"$CRM", Hash("crm-token")},
       {"$OPS", absl::AsciiStrToUpper(Hash("ops-token"))}});
}

std::shared_ptr<const AccessPolicy> MustCreate(const std::string& json) {
  absl::StatusOr<AccessConfig> config = ParseAccessConfig(json);
  EXPECT_THAT(config.status(), IsOk());
  absl::StatusOr<std::shared_ptr<const AccessPolicy>> policy =
      AccessPolicy::Create(*config);
  EXPECT_THAT(policy.status(), IsOk());
  return policy.ok() ? *policy : nullptr;
}

absl::Status CreateStatus(const std::string& json) {
  absl::StatusOr<AccessConfig> config = ParseAccessConfig(json);
  if (!config.ok()) {
    return config.status();
  }
  return AccessPolicy::Create(*config).status();
}

std::string ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorInfoUrl);
  google::rpc::ErrorInfo info;
  if (!payload.has_value() || !info.ParseFromString(std::string(*payload))) {
    return "";
  }
  return info.reason();
}

TEST(AccessPolicyTest, TokensNameTheirPrincipal) {
  std::shared_ptr<const AccessPolicy> policy = MustCreate(Config());
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->principal_count(), 3U);
  auto gateway = policy->Authenticate(Token("gw-token"));
  ASSERT_THAT(gateway.status(), IsOk());
  EXPECT_EQ((*gateway)->name, "gateway");
  EXPECT_TRUE((*gateway)->publish);
  EXPECT_FALSE((*gateway)->subscribe.has_value());
  // Upper-case hex in the file works too.
  auto ops = policy->Authenticate(Token("ops-token"));
  ASSERT_THAT(ops.status(), IsOk());
  EXPECT_EQ((*ops)->name, "ops");
  EXPECT_TRUE((*ops)->admin);
  auto crm = policy->Authenticate(Token("crm-token"));
  ASSERT_THAT(crm.status(), IsOk());
  ASSERT_TRUE((*crm)->subscribe.has_value());
  EXPECT_THAT((*crm)->subscribe->event_types,
              ::testing::ElementsAre("publication.*"));
  EXPECT_FALSE((*crm)->redactor.empty());
}

TEST(AccessPolicyTest, RefusesMissingUnknownAndMalformedCredentials) {
  std::shared_ptr<const AccessPolicy> policy = MustCreate(Config());
  ASSERT_NE(policy, nullptr);
  const absl::Status none = policy->Authenticate(Credentials()).status();
  EXPECT_THAT(none, StatusIs(absl::StatusCode::kUnauthenticated,
                             HasSubstr("authorization")));
  EXPECT_EQ(ReasonOf(none), "TOKEN_MISSING");
  const absl::Status wrong = policy->Authenticate(Token("nope")).status();
  EXPECT_THAT(wrong, StatusIs(absl::StatusCode::kUnauthenticated,
                              Not(HasSubstr("nope"))));
  EXPECT_EQ(ReasonOf(wrong), "TOKEN_UNKNOWN");
  Credentials malformed;
  malformed.malformed_authorization = true;
  EXPECT_EQ(ReasonOf(policy->Authenticate(malformed).status()),
            "TOKEN_MALFORMED");
}

TEST(AccessPolicyTest, CertificateIdentityStandsInForAToken) {
  std::shared_ptr<const AccessPolicy> policy = MustCreate(Config());
  ASSERT_NE(policy, nullptr);
  using Field = MtlsIdentity::Field;
  Credentials mtls;
  mtls.identities = {{Field::kCn, "vouchstream-test-client"},
                     {Field::kUri, "spiffe://vouchstream.test/client"}};
  auto crm = policy->Authenticate(mtls);
  ASSERT_THAT(crm.status(), IsOk());
  EXPECT_EQ((*crm)->name, "crm");
  // A wrong token is refused even with a known certificate.
  mtls.token = HashToken("nope");
  EXPECT_THAT(policy->Authenticate(mtls).status(),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  Credentials stranger;
  stranger.identities = {{Field::kCn, "someone-else"}};
  EXPECT_EQ(ReasonOf(policy->Authenticate(stranger).status()),
            "IDENTITY_UNKNOWN");
}

// A value listed for one certificate field never matches another field:
// the SAN DNS name "CN=ops" is not the common name "ops", and a SAN URI is
// not a DNS name.
TEST(AccessPolicyTest, IdentitiesMatchOnlyTheFieldTheyName) {
  using Field = MtlsIdentity::Field;
  std::shared_ptr<const AccessPolicy> policy = MustCreate(
      R"({"principals": [
        {"name": "ops", "mtls_identities": ["cn:ops"],
         "scopes": {"admin": true}},
        {"name": "web", "mtls_identities": ["dns:Web.Example"],
         "scopes": {"publish": true}},
        {"name": "crm", "mtls_identities": ["uri:spiffe://x/crm"],
         "scopes": {"subscribe": {}}}]})");
  ASSERT_NE(policy, nullptr);
  struct Case {
    MtlsIdentity presented;
    const char* principal;  // "" = nobody
  };
  const Case cases[] = {
      {{Field::kCn, "ops"}, "ops"},
      {{Field::kDns, "CN=ops"}, ""},
      {{Field::kDns, "ops"}, ""},
      {{Field::kUri, "cn:ops"}, ""},
      {{Field::kCn, "Ops"}, ""},
      {{Field::kDns, "web.example"}, "web"},  // DNS names ignore case
      {{Field::kCn, "Web.Example"}, ""},
      {{Field::kUri, "spiffe://x/crm"}, "crm"},
      {{Field::kDns, "spiffe://x/crm"}, ""},
      {{Field::kCn, "spiffe://x/crm"}, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.presented.ToString());
    Credentials credentials;
    credentials.identities = {c.presented};
    auto who = policy->Authenticate(credentials);
    if (*c.principal == '\0') {
      EXPECT_EQ(ReasonOf(who.status()), "IDENTITY_UNKNOWN");
    } else {
      ASSERT_THAT(who.status(), IsOk());
      EXPECT_EQ((*who)->name, c.principal);
    }
  }
}

TEST(MtlsIdentityTest, ParsesTheThreeFieldsAndRefusesTheRest) {
  using Field = MtlsIdentity::Field;
  const struct {
    const char* text;
    Field field;
    const char* value;
  } good[] = {{"uri:spiffe://x/y", Field::kUri, "spiffe://x/y"},
              {"dns:a.example", Field::kDns, "a.example"},
              {"cn:CN=odd", Field::kCn, "CN=odd"}};
  for (const auto& g : good) {
    SCOPED_TRACE(g.text);
    absl::StatusOr<MtlsIdentity> parsed = ParseMtlsIdentity(g.text);
    ASSERT_THAT(parsed.status(), IsOk());
    EXPECT_EQ(parsed->field, g.field);
    EXPECT_EQ(parsed->value, g.value);
    EXPECT_EQ(parsed->ToString(), g.text);
  }
  for (const char* bad : {"ops", "CN=ops", "spiffe://x/y", "URI:spiffe://x/y",
                          "DNS:a.example", "san:x", "/O=x/CN=y"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(
        ParseMtlsIdentity(bad).status(),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr(absl::StrCat(
                     "identity \"", bad,
                     "\": name the certificate field: uri:..., dns:... or "
                     "cn:..."))));
  }
  for (const char* empty : {"uri:", "dns:", "cn:"}) {
    EXPECT_THAT(
        ParseMtlsIdentity(empty).status(),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is empty")));
  }
}

TEST(AccessPolicyTest, OpenServicesDefaultToHealthAndReflection) {
  std::shared_ptr<const AccessPolicy> policy = MustCreate(Config());
  ASSERT_NE(policy, nullptr);
  EXPECT_TRUE(policy->IsOpen("grpc.health.v1.Health"));
  EXPECT_TRUE(policy->IsOpen("grpc.reflection.v1.ServerReflection"));
  EXPECT_TRUE(policy->IsOpen("grpc.reflection.v1alpha.ServerReflection"));
  EXPECT_FALSE(policy->IsOpen("vouchstream.v1.EventService"));
  std::shared_ptr<const AccessPolicy> closed =
      MustCreate(R"({"principals": [], "open_services": []})");
  ASSERT_NE(closed, nullptr);
  EXPECT_FALSE(closed->IsOpen("grpc.health.v1.Health"));
  std::shared_ptr<const AccessPolicy> health_only = MustCreate(
      R"({"principals": [], "open_services": ["grpc.health.v1.Health"]})");
  ASSERT_NE(health_only, nullptr);
  EXPECT_TRUE(health_only->IsOpen("grpc.health.v1.Health"));
  EXPECT_FALSE(health_only->IsOpen("grpc.reflection.v1.ServerReflection"));
}

struct BadFile {
  const char* name;
  std::string json;
  const char* message;  // a substring of the error
};

TEST(AccessPolicyTest, RefusesBadFilesNamingTheProblem) {
  const std::string hash = Hash("t");
  const BadFile cases[] = {
      {"not json", "{principals", "not a valid access file"},
      {"unknown key", R"({"principals": [], "admins": []})", "admins"},
      {"wrong type", R"({"principals": [{"name": "a", "scopes": "all"}]})",
       "not a valid access file"},
      {"unknown scope",
       absl::StrCat(R"({"principals": [{"name": "a", "token_sha256": [")", hash,
                    R"("], "scopes": {"root": true}}]})"),
       "root"},
      {"no name",
       absl::StrCat(R"({"principals": [{"token_sha256": [")", hash, R"("]}]})"),
       "principals[0]: name: is required"},
      {"twice",
       absl::StrCat(R"({"principals": [{"name": "a", "token_sha256": [")", hash,
                    R"("]}, {"name": "a", "token_sha256": [")", Hash("u"),
                    R"("]}]})"),
       "listed twice"},
      {"short hash",
       R"({"principals": [{"name": "a", "token_sha256": ["abc"]}]})",
       "token_sha256[0] is 3 characters long"},
      {"not hex",
       absl::StrCat(R"({"principals": [{"name": "a", "token_sha256": [")",
                    std::string(64, 'g'), R"("]}]})"),
       "not 64 hex digits"},
      {"shared hash",
       absl::StrCat(R"({"principals": [{"name": "a", "token_sha256": [")", hash,
                    R"("]}, {"name": "b", "token_sha256": [")", hash,
                    R"("]}]})"),
       "also listed by \"a\""},
      {"no credentials", R"({"principals": [{"name": "a"}]})",
       "needs token_sha256 or mtls_identities"},
      {"untyped identity",
       R"({"principals": [{"name": "ops", "mtls_identities": ["CN=ops"]}]})",
       "principals[0] (ops): mtls_identities[0]: identity \"CN=ops\": name "
       "the certificate field: uri:..., dns:... or cn:..."},
      {"untyped URI",
       R"({"principals": [{"name": "a", "mtls_identities": ["spiffe://x"]}]})",
       "name the certificate field"},
      {"shared identity",
       R"({"principals": [{"name": "a", "mtls_identities": ["dns:x.example"]},
                          {"name": "b", "mtls_identities": ["dns:X.example"]}]})",
       "also listed by \"a\""},
      {"bad redact path",
       absl::StrCat(R"({"principals": [{"name": "a", "token_sha256": [")", hash,
                    R"("], "redact": ["customer..email"]}]})"),
       "empty segment"},
      {"open service not a string",
       R"({"principals": [], "open_services": [1]})", "open_services[0]"},
  };
  for (const BadFile& bad : cases) {
    SCOPED_TRACE(bad.name);
    const absl::Status status = CreateStatus(bad.json);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(bad.message)));
  }
}

TEST(AccessPolicyTest, ErrorsNeverQuoteAHash) {
  const std::string hash = Hash("t");
  const absl::Status status = CreateStatus(absl::StrCat(
      R"({"principals": [{"name": "a", "token_sha256": [")", hash,
      R"("]}, {"name": "b", "token_sha256": [")", hash, R"("]}]})"));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               Not(HasSubstr(hash))));
}

TEST(TokenHashTest, MatchesSha256OfTheToken) {
  // printf 'secret-token' | sha256sum
  EXPECT_EQ(Hash("secret-token"),
            "930bbdc51b6aed5c2a5678fd6e28dee7a05e8a4b643cfc0b4427c3efb86c0d94");
  auto parsed = ParseTokenDigest(Hash("secret-token"));
  ASSERT_THAT(parsed.status(), IsOk());
  EXPECT_TRUE(DigestsEqual(*parsed, HashToken("secret-token")));
  EXPECT_FALSE(DigestsEqual(*parsed, HashToken("secret-token2")));
}

}  // namespace
}  // namespace vouchstream::auth

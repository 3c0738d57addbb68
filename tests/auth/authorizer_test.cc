// Reloading the access file: new calls see the new file, open streams whose
// access it revokes or changes are told once, a bad file keeps the old one.

#include "service/auth/authorizer.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "service/auth/token_hash.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::auth {
namespace {

using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;
using ::vouchstream::testing::TempDir;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

std::string Entry(const std::string& name, const std::string& token,
                  const std::string& scopes) {
  return absl::StrCat(R"({"name": ")", name, R"(", "token_sha256": [")",
                      DigestHex(HashToken(token)), R"("], "scopes": )", scopes,
                      "}");
}

std::string File(const std::vector<std::string>& entries) {
  std::string json = R"({"principals": [)";
  for (size_t i = 0; i < entries.size(); ++i) {
    absl::StrAppend(&json, i > 0 ? ", " : "", entries[i]);
  }
  return json + "]}";
}

Credentials Token(const std::string& token) {
  Credentials credentials;
  credentials.token = HashToken(token);
  return credentials;
}

TEST(AuthorizerTest, WithoutAFileEveryoneIsAnonymous) {
  Authorizer authorizer;
  EXPECT_FALSE(authorizer.enabled());
  auto who = authorizer.Authenticate(Credentials());
  ASSERT_THAT(who.status(), IsOk());
  EXPECT_EQ((*who)->name, "anonymous");
  EXPECT_TRUE((*who)->publish && (*who)->admin);
  EXPECT_TRUE((*who)->redactor.empty());
  EXPECT_THAT(authorizer.Reload().status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

TEST(AuthorizerTest, OpenNamesTheFileAndTheProblem) {
  TempDir dir;
  EXPECT_THAT(Authorizer::Open(dir.File("missing.json")).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.json")));
  Write(dir.File("bad.json"), R"({"principals": [{"name": ""}]})");
  EXPECT_THAT(Authorizer::Open(dir.File("bad.json")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bad.json: principals[0]: name")));
}

TEST(AuthorizerTest, ReloadRevokesDroppedAndChangedStreamsOnce) {
  TempDir dir;
  const std::string path = dir.File("access.json");
  Write(path, File({Entry("a", "token-a", R"({"subscribe": {}})"),
                    Entry("b", "token-b", R"({"subscribe": {}})"),
                    Entry("c", "token-c", R"({"subscribe": {}})")}));
  auto authorizer = Authorizer::Open(path);
  ASSERT_THAT(authorizer.status(), IsOk());
  std::vector<std::string> revoked;
  std::vector<std::unique_ptr<StreamRegistry::Registration>> registrations;
  for (const char* name : {"a", "b", "c"}) {
    const Credentials credentials = Token(absl::StrCat("token-", name));
    auto principal = (*authorizer)->Authenticate(credentials);
    ASSERT_THAT(principal.status(), IsOk());
    auto registration =
        (*authorizer)
            ->RegisterStream(
                credentials, *principal, [&revoked, name](absl::Status status) {
                  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
                  revoked.push_back(absl::StrCat(name, ": ", status.message()));
                });
    ASSERT_THAT(registration.status(), IsOk());
    registrations.push_back(*std::move(registration));
  }
  EXPECT_EQ((*authorizer)->stream_count(), 3U);

  // a: token revoked; b: scope narrowed; c: unchanged.
  Write(
      path,
      File({Entry("b", "token-b", R"({"subscribe": {"event_types": ["x.*"]}})"),
            Entry("c", "token-c", R"({"subscribe": {}})")}));
  absl::StatusOr<size_t> count = (*authorizer)->Reload();
  ASSERT_THAT(count.status(), IsOk());
  EXPECT_EQ(*count, 2U);
  ASSERT_EQ(revoked.size(), 2U);
  EXPECT_THAT(revoked[0], HasSubstr("a: access of principal \"a\" revoked"));
  EXPECT_THAT(revoked[1], HasSubstr("b: access of principal \"b\" changed"));
  EXPECT_THAT((*authorizer)->Authenticate(Token("token-a")).status(),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));

  // The same file again revokes nobody else, and nobody twice.
  revoked.clear();
  registrations.erase(registrations.begin());  // a's call ended
  absl::StatusOr<size_t> again = (*authorizer)->Reload();
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(*again, 0U);
  EXPECT_TRUE(revoked.empty());
  registrations.clear();
  EXPECT_EQ((*authorizer)->stream_count(), 0U);
}

TEST(AuthorizerTest, AMalformedReloadKeepsTheOldFile) {
  TempDir dir;
  const std::string path = dir.File("access.json");
  Write(path, File({Entry("a", "token-a", R"({"publish": true})")}));
  auto authorizer = Authorizer::Open(path);
  ASSERT_THAT(authorizer.status(), IsOk());
  Write(path, "{not json");
  EXPECT_THAT(
      (*authorizer)->Reload().status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("access.json")));
  EXPECT_THAT((*authorizer)->Authenticate(Token("token-a")).status(), IsOk());
}

TEST(AuthorizerTest, AnUntypedIdentityIsRefusedAtLoadAndOnReload) {
  TempDir dir;
  const std::string path = dir.File("access.json");
  const std::string untyped =
      R"({"principals": [{"name": "ops", "mtls_identities": ["CN=ops"],
          "scopes": {"admin": true}}]})";
  Write(path, untyped);
  EXPECT_THAT(Authorizer::Open(path).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("identity \"CN=ops\": name the certificate "
                                 "field: uri:..., dns:... or cn:...")));
  Write(path, File({Entry("a", "token-a", R"({"publish": true})")}));
  auto authorizer = Authorizer::Open(path);
  ASSERT_THAT(authorizer.status(), IsOk());
  Write(path, untyped);
  EXPECT_THAT((*authorizer)->Reload().status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("principals[0] (ops): mtls_identities[0]")));
  EXPECT_THAT((*authorizer)->Authenticate(Token("token-a")).status(), IsOk());
}

TEST(AuthorizerTest, RegisteringAfterARevokingReloadFails) {
  TempDir dir;
  const std::string path = dir.File("access.json");
  Write(path, File({Entry("a", "token-a", R"({"subscribe": {}})")}));
  auto authorizer = Authorizer::Open(path);
  ASSERT_THAT(authorizer.status(), IsOk());
  auto principal = (*authorizer)->Authenticate(Token("token-a"));
  ASSERT_THAT(principal.status(), IsOk());
  Write(path, File({}));
  ASSERT_THAT((*authorizer)->Reload().status(), IsOk());
  // Authenticated under the old file, registered under the new one.
  auto registration =
      (*authorizer)
          ->RegisterStream(Token("token-a"), *principal, [](absl::Status) {});
  EXPECT_THAT(registration.status(),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("\"a\"")));
  EXPECT_EQ((*authorizer)->stream_count(), 0U);
}

}  // namespace
}  // namespace vouchstream::auth

#include "transcode/signature.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::transcode {
namespace {

using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

// The vectors in DESIGN.md ("What arrives").
constexpr char kDigestA1[] =
    "a17d2ac229d1ebbb5f10e839c7985c4818e5986eab297f7e5979196d4d7d3ed2";
constexpr char kDigestTest1[] =
    "5547d4d07430a2d1b77649564c68d80afe591f7cc61ca110bccb442e3205eeec";

std::unique_ptr<SignatureVerifier> Verifier(std::vector<std::string> secrets) {
  auto verifier = SignatureVerifier::Create(std::move(secrets));
  EXPECT_THAT(verifier, IsOk());
  return *std::move(verifier);
}

TEST(SignHexTest, MatchesDesignVectors) {
  EXPECT_EQ(SignHex("secretKey", R"({"a":1})"), kDigestA1);
  EXPECT_EQ(SignHex("secret-signature-key", R"({"test":"test1"})"),
            kDigestTest1);
}

TEST(SignatureVerifierTest, AcceptsRawBodyVector) {
  EXPECT_THAT(Verifier({"secretKey"})->Verify(R"({"a":1})", kDigestA1), IsOk());
  EXPECT_THAT(Verifier({"secret-signature-key"})
                  ->Verify(R"({"test":"test1"})", kDigestTest1),
              IsOk());
}

TEST(SignatureVerifierTest, AcceptsPrettyPrintedBodyAfterStripping) {
  EXPECT_THAT(Verifier({"secretKey"})->Verify("{\n  \"a\": 1\n}", kDigestA1),
              IsOk());
}

TEST(SignatureVerifierTest, AcceptsUppercaseHex) {
  std::string upper = kDigestA1;
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  EXPECT_THAT(Verifier({"secretKey"})->Verify(R"({"a":1})", upper), IsOk());
}

TEST(SignatureVerifierTest, RefusesMissingSignature) {
  EXPECT_THAT(
      Verifier({"secretKey"})->Verify(R"({"a":1})", ""),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("missing")));
}

TEST(SignatureVerifierTest, RefusesMalformedSignature) {
  EXPECT_THAT(
      Verifier({"secretKey"})->Verify(R"({"a":1})", "abc"),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("64 hex digits")));
  std::string not_hex(64, 'g');
  EXPECT_THAT(
      Verifier({"secretKey"})->Verify(R"({"a":1})", not_hex),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("64 hex digits")));
}

TEST(SignatureVerifierTest, RefusesWrongSecretAndChangedBody) {
  EXPECT_THAT(Verifier({"otherKey"})->Verify(R"({"a":1})", kDigestA1),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not match")));
  EXPECT_THAT(Verifier({"secretKey"})->Verify(R"({"a":2})", kDigestA1),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not match")));
  // Whitespace inside a string is significant: no stripping there.
  EXPECT_THAT(Verifier({"secret-signature-key"})
                  ->Verify(R"({"test":"test 1"})", kDigestTest1),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("match")));
}

TEST(SignatureVerifierTest, AcceptsAnyOfSeveralSecrets) {
  auto verifier = Verifier({"old-secret", "secretKey", "next-secret"});
  EXPECT_EQ(verifier->secret_count(), 3U);
  EXPECT_THAT(verifier->Verify(R"({"a":1})", kDigestA1), IsOk());
  EXPECT_THAT(
      verifier->Verify(R"({"a":1})", SignHex("next-secret", R"({"a":1})")),
      IsOk());
  EXPECT_THAT(verifier->Verify(R"({"a":1})", SignHex("retired", R"({"a":1})")),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

TEST(SignatureVerifierTest, CreateRefusesNoOrEmptySecrets) {
  EXPECT_THAT(SignatureVerifier::Create({}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no")));
  EXPECT_THAT(SignatureVerifier::Create({"a", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(SignatureVerifierTest, FromFileReadsOneSecretPerLine) {
  const std::string path = ::testing::TempDir() + "/signature_test_secrets.txt";
  {
    std::ofstream out(path);
    out << "# rotation: old first\n  old-secret  \r\n\nsecretKey\n";
  }
  auto verifier = SignatureVerifier::FromFile(path);
  ASSERT_THAT(verifier, IsOk());
  EXPECT_EQ((*verifier)->secret_count(), 2U);
  EXPECT_THAT((*verifier)->Verify(R"({"a":1})", kDigestA1), IsOk());
  EXPECT_THAT(
      (*verifier)->Verify(R"({"a":1})", SignHex("old-secret", R"({"a":1})")),
      IsOk());
  std::remove(path.c_str());
}

TEST(SignatureVerifierTest, FromFileFailsOnMissingOrEmptyFile) {
  EXPECT_THAT(SignatureVerifier::FromFile("/nonexistent/secrets"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("cannot")));
  const std::string path = ::testing::TempDir() + "/signature_test_empty.txt";
  {
    std::ofstream out(path);
    out << "# nothing\n\n";
  }
  EXPECT_THAT(
      SignatureVerifier::FromFile(path),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no secret")));
  std::remove(path.c_str());
}

struct StripCase {
  const char* input;
  const char* expected;
};

TEST(StripJsonWhitespaceTest, RemovesOnlyWhitespaceOutsideStrings) {
  static const StripCase kCases[] = {
      {"{\n  \"a\": 1\n}", R"({"a":1})"},
      {" \t\r\n[ 1 , 2 ]\n", "[1,2]"},
      {R"({"a b": "c d"})", R"({"a b":"c d"})"},
      // An escaped quote does not end the string: the spaces after it are
      // still inside.
      {R"({"k": "say \"hi there\" now" , "x" : 1})",
       R"({"k":"say \"hi there\" now","x":1})"},
      // An escaped backslash before the closing quote does end it.
      {R"({"p": "C:\\dir\\" , "q" : "a b"})", R"({"p":"C:\\dir\\","q":"a b"})"},
      {R"({"u": "\u0020 x"})", R"({"u":"\u0020 x"})"},
      {"", ""},
      // Unterminated string: kept as-is to the end.
      {"{\"a\": \"b c", "{\"a\":\"b c"},
  };
  for (const StripCase& test : kCases) {
    EXPECT_EQ(StripJsonWhitespace(test.input), test.expected)
        << "input: " << test.input;
  }
}

TEST(SignatureVerifierTest, StrippedBodyWithEscapedQuotesVerifies) {
  const std::string compact = R"({"note":"a \"quoted\" word","n":1})";
  const std::string pretty =
      "{\n  \"note\": \"a \\\"quoted\\\" word\",\n  \"n\": 1\n}";
  ASSERT_EQ(StripJsonWhitespace(pretty), compact);
  EXPECT_THAT(Verifier({"k"})->Verify(pretty, SignHex("k", compact)), IsOk());
}

}  // namespace
}  // namespace vouchstream::transcode

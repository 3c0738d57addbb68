// The test PKI itself: the files exist, are PEM, and an unwritable directory
// is an error that names the failing step.

#include "tests/testing/test_certs.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(TestPkiTest, WritesEveryFileAsPem) {
  TempDir dir;
  absl::StatusOr<TestPki> pki = MakeTestPki(dir.path());
  ASSERT_THAT(pki, IsOk());
  for (const std::string* cert :
       {&pki->ca_cert, &pki->server_cert, &pki->client_cert,
        &pki->other_ca_cert, &pki->other_client_cert}) {
    absl::StatusOr<std::string> pem = ReadPem(*cert);
    ASSERT_THAT(pem, IsOk());
    EXPECT_THAT(*pem, StartsWith("-----BEGIN CERTIFICATE-----")) << *cert;
  }
  for (const std::string* key :
       {&pki->server_key, &pki->client_key, &pki->other_client_key}) {
    absl::StatusOr<std::string> pem = ReadPem(*key);
    ASSERT_THAT(pem, IsOk());
    EXPECT_THAT(*pem, StartsWith("-----BEGIN PRIVATE KEY-----")) << *key;
  }
}

TEST(TestPkiTest, UnwritableDirectoryNamesTheFailure) {
  EXPECT_THAT(
      MakeTestPki("/proc/vouchstream-no-such-dir"),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("make_test_certs.sh")));
}

TEST(TestPkiTest, ReadPemOfMissingFileIsNotFound) {
  EXPECT_THAT(ReadPem("/nonexistent/ca.pem"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("ca.pem")));
}

}  // namespace
}  // namespace vouchstream::testing

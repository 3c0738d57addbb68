// service/rpc/server_credentials: which flags go together, what a bad file
// says, and which listen addresses count as loopback.

#include "service/rpc/server_credentials.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certs.h"

namespace vouchstream::rpc {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;
using ::vouchstream::testing::TempDir;
using ::vouchstream::testing::TestPki;

class ServerCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestPki> pki =
        vouchstream::testing::MakeTestPki(dir_.path());
    ASSERT_THAT(pki, IsOk());
    pki_ = *pki;
  }

  TempDir dir_;
  TestPki pki_;
};

TEST_F(ServerCredentialsTest, ModesFollowTheFlags) {
  absl::StatusOr<ServerSecurity> off = LoadServerSecurity({});
  ASSERT_THAT(off, IsOk());
  EXPECT_EQ(off->mode, "off");
  absl::StatusOr<ServerSecurity> on =
      LoadServerSecurity({pki_.server_cert, pki_.server_key, ""});
  ASSERT_THAT(on, IsOk());
  EXPECT_EQ(on->mode, "on");
  absl::StatusOr<ServerSecurity> mtls =
      LoadServerSecurity({pki_.server_cert, pki_.server_key, pki_.ca_cert});
  ASSERT_THAT(mtls, IsOk());
  EXPECT_EQ(mtls->mode, "mtls");
}

TEST_F(ServerCredentialsTest, FlagsThatDoNotGoTogetherAreRefused) {
  EXPECT_THAT(LoadServerSecurity({pki_.server_cert, "", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--tls-cert"), HasSubstr("--tls-key"))));
  EXPECT_THAT(
      LoadServerSecurity({"", pki_.server_key, ""}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls-key")));
  EXPECT_THAT(LoadServerSecurity({"", "", pki_.ca_cert}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--client-ca needs")));
}

TEST_F(ServerCredentialsTest, BadFilesNameTheFlagAndTheFile) {
  EXPECT_THAT(
      LoadServerSecurity({dir_.File("missing.pem"), pki_.server_key, ""}),
      StatusIs(absl::StatusCode::kNotFound,
               AllOf(HasSubstr("--tls-cert"), HasSubstr("missing.pem"))));
  // A key where the certificate belongs, and the reverse.
  EXPECT_THAT(LoadServerSecurity({pki_.server_key, pki_.server_key, ""}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--tls-cert"),
                             HasSubstr("no PEM CERTIFICATE"))));
  EXPECT_THAT(
      LoadServerSecurity({pki_.server_cert, pki_.server_cert, ""}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("--tls-key"), HasSubstr("no PEM PRIVATE KEY"))));
  const std::string empty = dir_.File("empty.pem");
  std::ofstream(empty).flush();
  EXPECT_THAT(
      LoadServerSecurity({pki_.server_cert, pki_.server_key, empty}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("--client-ca"), HasSubstr("empty.pem"))));
}

TEST(IsLoopbackListenAddressTest, Table) {
  struct Case {
    const char* listen;
    bool loopback;
  };
  for (const Case& c : {
           Case{"127.0.0.1:50051", true},
           Case{"127.0.0.1:0", true},
           Case{"127.3.2.1:50051", true},
           Case{"localhost:50051", true},
           Case{"LOCALHOST:1", true},
           Case{"[::1]:50051", true},
           Case{"0.0.0.0:50051", false},
           Case{"[::]:50051", false},
           Case{"10.0.0.5:50051", false},
           Case{"128.0.0.1:50051", false},
           Case{"example.com:50051", false},
           Case{"[2001:db8::1]:50051", false},
       }) {
    EXPECT_EQ(IsLoopbackListenAddress(c.listen), c.loopback) << c.listen;
  }
}

}  // namespace
}  // namespace vouchstream::rpc

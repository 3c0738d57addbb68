// common/channel_options: option checks, and that the bearer token
// reaches a server on every call, over plaintext and over mTLS.

#include "common/channel_options.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certs.h"
#include "tests/tls/metadata_recorder.h"

namespace vouchstream::client {
namespace {

using ::testing::AllOf;
using ::testing::Each;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::MetadataRecorder;
using ::vouchstream::testing::ReadPem;
using ::vouchstream::testing::StatusIs;
using ::vouchstream::testing::TempDir;
using ::vouchstream::testing::TestPki;

class ChannelOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestPki> pki =
        vouchstream::testing::MakeTestPki(dir_.path());
    ASSERT_THAT(pki, IsOk());
    pki_ = *pki;
  }

  std::shared_ptr<grpc::ServerCredentials> MtlsServerCredentials() const {
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = *ReadPem(pki_.ca_cert);
    ssl.pem_key_cert_pairs.push_back(
        {*ReadPem(pki_.server_key), *ReadPem(pki_.server_cert)});
    return grpc::SslServerCredentials(ssl);
  }

  // One GetEvent on `channel`; the recorder answers UNIMPLEMENTED, which
  // proves the call (and its handshake) got through.
  static grpc::Status CallOnce(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::EventService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    context.set_wait_for_ready(true);
    v1::GetEventRequest request;
    request.set_seq(1);
    v1::GetEventResponse response;
    return stub->GetEvent(&context, request, &response);
  }

  TempDir dir_;
  TestPki pki_;
};

TEST_F(ChannelOptionsTest, ModesFollowTheOptions) {
  EXPECT_EQ(ChannelFactory::Create({})->tls_mode(), "off");
  ChannelOptions tls;
  tls.ca_file = pki_.ca_cert;
  EXPECT_EQ(ChannelFactory::Create(tls)->tls_mode(), "on");
  ChannelOptions system_roots;
  system_roots.tls = true;
  EXPECT_EQ(ChannelFactory::Create(system_roots)->tls_mode(), "on");
  ChannelOptions mtls = tls;
  mtls.cert_file = pki_.client_cert;
  mtls.key_file = pki_.client_key;
  EXPECT_EQ(ChannelFactory::Create(mtls)->tls_mode(), "mtls");
}

TEST_F(ChannelOptionsTest, BadOptionsNameTheOptionAndTheFile) {
  ChannelOptions cert_only;
  cert_only.cert_file = pki_.client_cert;
  EXPECT_THAT(ChannelFactory::Create(cert_only),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--cert and --key")));
  ChannelOptions name_only;
  name_only.server_name = "localhost";
  EXPECT_THAT(ChannelFactory::Create(name_only),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--server-name needs TLS")));
  ChannelOptions missing_ca;
  missing_ca.ca_file = dir_.File("nope.pem");
  EXPECT_THAT(ChannelFactory::Create(missing_ca),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("--ca"), HasSubstr("nope.pem"))));
  ChannelOptions key_as_cert;
  key_as_cert.ca_file = pki_.ca_cert;
  key_as_cert.cert_file = pki_.client_key;
  key_as_cert.key_file = pki_.client_key;
  EXPECT_THAT(
      ChannelFactory::Create(key_as_cert),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("--cert"), HasSubstr("no PEM CERTIFICATE"))));
  ChannelOptions empty_token;
  empty_token.token_file = dir_.File("token");
  std::ofstream(empty_token.token_file) << " \n";
  EXPECT_THAT(ChannelFactory::Create(empty_token),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--token-file"), HasSubstr("empty"))));
}

TEST_F(ChannelOptionsTest, ParsesTheCommandLineFlags) {
  ChannelOptions options;
  for (const char* arg :
       {"--tls", "--ca=ca.pem", "--cert=c.pem", "--key=c.key",
        "--server-name=vs.internal", "--token-file=/run/token"}) {
    EXPECT_TRUE(ParseChannelFlag(arg, &options)) << arg;
  }
  EXPECT_FALSE(ParseChannelFlag("--server=127.0.0.1:1", &options));
  EXPECT_TRUE(options.tls);
  EXPECT_EQ(options.ca_file, "ca.pem");
  EXPECT_EQ(options.cert_file, "c.pem");
  EXPECT_EQ(options.key_file, "c.key");
  EXPECT_EQ(options.server_name, "vs.internal");
  EXPECT_EQ(options.token_file, "/run/token");
}

TEST_F(ChannelOptionsTest, TokenIsSentOverPlaintext) {
  auto recorder = MetadataRecorder::Start(grpc::InsecureServerCredentials());
  ASSERT_THAT(recorder, IsOk());
  ChannelOptions options;
  options.token = "t0k";
  absl::StatusOr<ChannelFactory> factory = ChannelFactory::Create(options);
  ASSERT_THAT(factory, IsOk());
  const std::shared_ptr<grpc::Channel> channel =
      factory->Connect((*recorder)->address());
  EXPECT_EQ(CallOnce(channel).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(CallOnce(channel).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  const std::vector<MetadataRecorder::Call> calls = (*recorder)->calls();
  ASSERT_EQ(calls.size(), 2U);
  EXPECT_THAT(
      calls, Each(Field(&MetadataRecorder::Call::authorization, "Bearer t0k")));
  EXPECT_EQ(calls[0].method, "/vouchstream.v1.EventService/GetEvent");
}

TEST_F(ChannelOptionsTest, TokenFileIsSentOverMtlsWithServerNameOverride) {
  auto recorder = MetadataRecorder::Start(MtlsServerCredentials());
  ASSERT_THAT(recorder, IsOk());
  ChannelOptions options;
  options.ca_file = pki_.ca_cert;
  options.cert_file = pki_.client_cert;
  options.key_file = pki_.client_key;
  // The certificate names localhost and 127.0.0.1; dial by IP, check the
  // name.
  options.server_name = "localhost";
  options.token_file = dir_.File("token");
  std::ofstream(options.token_file) << "s3cr3t-token\n";
  absl::StatusOr<ChannelFactory> factory = ChannelFactory::Create(options);
  ASSERT_THAT(factory, IsOk());
  EXPECT_EQ(CallOnce(factory->Connect((*recorder)->address())).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_TRUE((*recorder)->WaitForAuthorization("Bearer s3cr3t-token",
                                                absl::Seconds(10)));
}

TEST_F(ChannelOptionsTest, WrongServerNameFailsTheHandshake) {
  auto recorder = MetadataRecorder::Start(MtlsServerCredentials());
  ASSERT_THAT(recorder, IsOk());
  ChannelOptions options;
  options.ca_file = pki_.ca_cert;
  options.cert_file = pki_.client_cert;
  options.key_file = pki_.client_key;
  options.server_name = "not-in-the-certificate.example";
  absl::StatusOr<ChannelFactory> factory = ChannelFactory::Create(options);
  ASSERT_THAT(factory, IsOk());
  auto stub =
      v1::EventService::NewStub(factory->Connect((*recorder)->address()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::GetEventRequest request;
  v1::GetEventResponse response;
  EXPECT_EQ(stub->GetEvent(&context, request, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT((*recorder)->calls(), IsEmpty());
}

TEST_F(ChannelOptionsTest, NoTokenNoHeader) {
  auto recorder = MetadataRecorder::Start(grpc::InsecureServerCredentials());
  ASSERT_THAT(recorder, IsOk());
  EXPECT_EQ(
      CallOnce(ChannelFactory::Create({})->Connect((*recorder)->address()))
          .error_code(),
      grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT((*recorder)->calls(),
              Each(Field(&MetadataRecorder::Call::authorization, IsEmpty())));
  EXPECT_THAT((*recorder)->calls(), Not(IsEmpty()));
}

}  // namespace
}  // namespace vouchstream::client

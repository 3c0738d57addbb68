// A verified client certificate stands in for a bearer token: its SAN URI,
// SAN DNS name or common name names the principal in the access file, each
// listed with the field it is (`uri:`, `dns:`, `cn:`) and matched only
// against that field.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "service/auth/token_hash.h"
#include "tests/auth/auth_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certs.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<grpc::ChannelCredentials> ClientTls(const TestPki& pki,
                                                    const std::string& cert,
                                                    const std::string& key) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = *ReadPem(pki.ca_cert);
  options.pem_cert_chain = *ReadPem(cert);
  options.pem_private_key = *ReadPem(key);
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ClientTls(const TestPki& pki) {
  return ClientTls(pki, pki.client_cert, pki.client_key);
}

grpc::Status ListStatus(v1::EventService::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::ListEventsResponse response;
  return stub.ListEvents(&context, {}, &response);
}

grpc::Status PublishStatus(v1::EventService::Stub& stub,
                           const std::string& token) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  if (!token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  v1::PublishRequest request;
  request.mutable_event()->set_id("evpub_1");
  request.mutable_event()->set_type("publication.succeeded");
  v1::PublishResponse response;
  return stub.Publish(&context, request, &response);
}

class MtlsIdentityTest : public ::testing::TestWithParam<const char*> {};

TEST_P(MtlsIdentityTest, CertificateIdentityNamesThePrincipal) {
  TempDir dir;
  absl::StatusOr<TestPki> pki = MakeTestPki(dir.File("pki"));
  ASSERT_THAT(pki.status(), IsOk());
  WriteFile(dir.File("access.json"),
            absl::StrCat(R"({"principals": [
              {"name": "reader", "mtls_identities": [")",
                         GetParam(), R"("], "scopes": {"subscribe": {}}},
              {"name": "gateway", "token_sha256": [")",
                         auth::DigestHex(auth::HashToken("gw-token")),
                         R"("], "scopes": {"publish": true}}]})"));
  const std::shared_ptr<grpc::ChannelCredentials> tls = ClientTls(*pki);
  auto server = AuthServer::Start(
      dir,
      {"--access=" + dir.File("access.json"), "--tls-cert=" + pki->server_cert,
       "--tls-key=" + pki->server_key, "--client-ca=" + pki->ca_cert},
      tls);
  ASSERT_THAT(server.status(), IsOk());
  auto stub =
      v1::EventService::NewStub(grpc::CreateChannel((*server)->address(), tls));
  // No token: the certificate is the reader.
  EXPECT_TRUE(ListStatus(*stub).ok());
  const grpc::Status publish = PublishStatus(*stub, "");
  EXPECT_EQ(publish.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(publish.error_message(), HasSubstr("\"reader\" lacks scope"));
  // A token wins over the certificate.
  const grpc::Status with_token = PublishStatus(*stub, "gw-token");
  EXPECT_NE(with_token.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(with_token.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(PublishStatus(*stub, "wrong").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

INSTANTIATE_TEST_SUITE_P(
    Identities, MtlsIdentityTest,
    ::testing::Values("uri:spiffe://vouchstream.test/client",
                      "cn:vouchstream-test-client"));

TEST(MtlsUnlistedTest, AnUnlistedCertificateIsUnauthenticated) {
  TempDir dir;
  absl::StatusOr<TestPki> pki = MakeTestPki(dir.File("pki"));
  ASSERT_THAT(pki.status(), IsOk());
  WriteFile(dir.File("access.json"),
            R"({"principals": [{"name": "reader",
                "mtls_identities": ["cn:someone-else"],
                "scopes": {"subscribe": {}}}]})");
  const std::shared_ptr<grpc::ChannelCredentials> tls = ClientTls(*pki);
  auto server = AuthServer::Start(
      dir,
      {"--access=" + dir.File("access.json"), "--tls-cert=" + pki->server_cert,
       "--tls-key=" + pki->server_key, "--client-ca=" + pki->ca_cert},
      tls);
  ASSERT_THAT(server.status(), IsOk());
  auto stub =
      v1::EventService::NewStub(grpc::CreateChannel((*server)->address(), tls));
  const grpc::Status status = ListStatus(*stub);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("client certificate"));
}

// The decoy certificate (CN=nobody, SAN DNS name "CN=ops") used to pass for
// the principal listed as "CN=ops": SAN values and "CN=<cn>" strings were
// compared as one list. Typed identities keep the fields apart: it is the
// principal of its DNS name, never the one of the common name "ops".
TEST(MtlsDecoyTest, ASanDnsNameDoesNotPassForACommonName) {
  TempDir dir;
  absl::StatusOr<TestPki> pki = MakeTestPki(dir.File("pki"));
  ASSERT_THAT(pki.status(), IsOk());
  const std::vector<std::string> args = {
      "--access=" + dir.File("access.json"), "--tls-cert=" + pki->server_cert,
      "--tls-key=" + pki->server_key, "--client-ca=" + pki->ca_cert};
  const std::shared_ptr<grpc::ChannelCredentials> decoy =
      ClientTls(*pki, pki->decoy_cert, pki->decoy_key);
  {
    WriteFile(dir.File("access.json"),
              R"({"principals": [{"name": "ops", "mtls_identities": ["cn:ops"],
                  "scopes": {"admin": true, "subscribe": {}}}]})");
    auto server = AuthServer::Start(dir, args, decoy);
    ASSERT_THAT(server.status(), IsOk());
    auto stub = v1::EventService::NewStub(
        grpc::CreateChannel((*server)->address(), decoy));
    const grpc::Status status = ListStatus(*stub);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_THAT(status.error_message(), HasSubstr("client certificate"));
  }
  {
    // The same value typed as a DNS name is the decoy's (so the decoy's SAN
    // does reach the server), and still not "ops".
    WriteFile(dir.File("access.json"),
              R"({"principals": [
                {"name": "ops", "mtls_identities": ["cn:ops"],
                 "scopes": {"admin": true, "subscribe": {}}},
                {"name": "dns-named", "mtls_identities": ["dns:CN=ops"],
                 "scopes": {"publish": true}}]})");
    auto server = AuthServer::Start(dir, args, decoy);
    ASSERT_THAT(server.status(), IsOk());
    auto stub = v1::EventService::NewStub(
        grpc::CreateChannel((*server)->address(), decoy));
    const grpc::Status status = ListStatus(*stub);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(status.error_message(), HasSubstr("\"dns-named\" lacks scope"));
  }
}

TEST(MtlsDecoyTest, AnUntypedIdentityStopsTheStart) {
  TempDir dir;
  WriteFile(dir.File("access.json"),
            R"({"principals": [{"name": "ops", "mtls_identities": ["CN=ops"],
                "scopes": {"admin": true}}]})");
  auto server = AuthServer::Start(dir, {"--access=" + dir.File("access.json")});
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("cannot load the access file"));
  EXPECT_THAT(std::string(server.status().message()),
              HasSubstr("name the certificate field: uri:..., dns:... or "
                        "cn:..."));
}

}  // namespace
}  // namespace vouchstream::testing

// TLS and mTLS end to end (issue 8): the real vouchstream-server with
// --tls-cert/--tls-key[/--client-ca], the real gateway's upstream channel
// and vouchstream-cli, on 127.0.0.1 with certificates made per test.

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"

#include "tests/testing/child_process.h"
#include "tests/testing/gateway_process.h"
#include "tests/testing/run_command.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certs.h"
#include "tests/testing/test_events.h"
#include "tests/testing/webhook_load.h"
#include "tests/tls/metadata_recorder.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSeedPublicationId[] = "pub_r0413bLwExpB6LE0v286eNVmEpx6NxmP";
constexpr char kSecret[] = "tls-secret";

std::string ReadFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadPem(path);
  return text.ok() ? *text : "";
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestPki> pki = MakeTestPki(dir_.File("pki"));
    ASSERT_THAT(pki, IsOk());
    pki_ = *pki;
  }

  // Trusts `ca`; presents `cert`/`key` when given.
  static std::shared_ptr<grpc::ChannelCredentials> Tls(
      const std::string& ca, const std::string& cert = "",
      const std::string& key = "") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(ca);
    if (!cert.empty()) {
      ssl.pem_cert_chain = ReadFile(cert);
      ssl.pem_private_key = ReadFile(key);
    }
    return grpc::SslCredentials(ssl);
  }

  std::shared_ptr<grpc::ChannelCredentials> GoodClient() const {
    return Tls(pki_.ca_cert, pki_.client_cert, pki_.client_key);
  }

  // A server with TLS, and mTLS when `mutual`; its own channel() uses
  // `credentials`.
  absl::StatusOr<std::unique_ptr<ServerProcess>> StartServer(
      bool mutual, std::shared_ptr<grpc::ChannelCredentials> credentials) {
    ServerProcess::Options options;
    options.store_path = dir_.File("events.db");
    options.extra_args = {"--tls-cert=" + pki_.server_cert,
                          "--tls-key=" + pki_.server_key};
    if (mutual) {
      options.extra_args.push_back("--client-ca=" + pki_.ca_cert);
    }
    options.channel_credentials = std::move(credentials);
    return ServerProcess::Start(options);
  }

  // One health check on a fresh channel to `address`; fails fast, so a
  // refused handshake shows as UNAVAILABLE instead of waiting.
  static grpc::Status Check(
      const std::string& address,
      const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
    auto stub = grpc::health::v1::Health::NewStub(
        grpc::CreateChannel(address, credentials));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    return stub->Check(&context, request, &response);
  }

  // Publishes the seed event as `id` and reads it back by id.
  static void ExpectPublishAndGet(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& id) {
    auto stub = v1::EventService::NewStub(channel);
    absl::StatusOr<v1::PublishResponse> published =
        Publish(*stub, SeedEvent(id));
    ASSERT_THAT(published, IsOk());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::GetEventRequest request;
    request.set_id(id);
    v1::GetEventResponse response;
    ASSERT_TRUE(stub->GetEvent(&context, request, &response).ok());
    EXPECT_EQ(response.event().seq(), published->seq());
  }

  absl::StatusOr<CommandResult> Cli(std::vector<std::string> args) const {
    args.insert(args.begin(), VS_CLI_PATH);
    return RunCommand(args);
  }

  TempDir dir_;
  TestPki pki_;
};

TEST_F(TlsServerTest, TlsServerRefusesPlaintextAndServesTls) {
  auto server = StartServer(false, Tls(pki_.ca_cert));
  ASSERT_THAT(server, IsOk());
  const std::string address = (*server)->address();
  EXPECT_EQ(Check(address, grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A client that does not trust the server's CA.
  EXPECT_EQ(Check(address, Tls(pki_.other_ca_cert)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(Check(address, Tls(pki_.ca_cert)).ok());
  ExpectPublishAndGet((*server)->channel(), "pub_tls_on");
  EXPECT_THAT((*server)->Stop(), IsOk());
}

TEST_F(TlsServerTest, MtlsRefusesClientsWithoutTheRightCertificate) {
  auto server = StartServer(true, GoodClient());
  ASSERT_THAT(server, IsOk());
  const std::string address = (*server)->address();
  // TLS without a client certificate: refused at the handshake.
  EXPECT_EQ(Check(address, Tls(pki_.ca_cert)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A client certificate from an unrelated CA: refused too.
  EXPECT_EQ(Check(address, Tls(pki_.ca_cert, pki_.other_client_cert,
                               pki_.other_client_key))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Check(address, grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // The refusals did not hurt the server: the right certificate works.
  EXPECT_THAT(
      ServerProcess::WaitServing(*(*server)->channel(), absl::Seconds(10)),
      IsOk());
  EXPECT_TRUE(Check(address, GoodClient()).ok());
  ExpectPublishAndGet((*server)->channel(), "pub_tls_mtls");
  EXPECT_THAT((*server)->Stop(), IsOk());
}

TEST_F(TlsServerTest, GatewayForwardsOverMtls) {
  auto server = StartServer(true, GoodClient());
  ASSERT_THAT(server, IsOk());
  GatewayProcess::Options options;
  options.upstream = (*server)->address();
  options.secret = kSecret;
  options.secret_dir = dir_.path();
  options.extra_args = {
      "--upstream-ca=" + pki_.ca_cert, "--upstream-cert=" + pki_.client_cert,
      "--upstream-key=" + pki_.client_key, "--upstream-server-name=localhost"};
  // Ready means the gateway's health check got through the handshake.
  auto gateway = GatewayProcess::Start(options);
  ASSERT_THAT(gateway, IsOk());

  WebhookLoad::Options load_options;
  load_options.port = (*gateway)->port();
  load_options.body =
      ReadFile(VS_TESTDATA_DIR "/publication.succeeded.seed.json");
  load_options.placeholder = kSeedPublicationId;
  load_options.ids = {"pub_tls_gateway"};
  load_options.secret = kSecret;
  load_options.connections = 1;
  WebhookLoad load(load_options);
  ASSERT_TRUE(load.WaitUntil(
      [](const WebhookLoad::Counts& c) { return c.answered() >= 1; },
      absl::Seconds(30)));
  load.Stop();
  const std::vector<WebhookLoad::Request> requests = load.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].http_status, 200) << requests[0].error_body;
  auto stub = v1::EventService::NewStub((*server)->channel());
  grpc::ClientContext context;
  v1::GetEventRequest request;
  request.set_id("pub_tls_gateway");
  v1::GetEventResponse response;
  ASSERT_TRUE(stub->GetEvent(&context, request, &response).ok());
  EXPECT_EQ(response.event().seq(), requests[0].seq);
  EXPECT_THAT((*gateway)->Stop(), IsOk());
}

TEST_F(TlsServerTest, GatewayWithoutClientCertificateAnswers503) {
  auto server = StartServer(true, GoodClient());
  ASSERT_THAT(server, IsOk());
  const std::string secrets = dir_.File("secrets");
  std::ofstream(secrets) << kSecret << "\n";
  std::filesystem::permissions(
      secrets,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // Not GatewayProcess: it waits for /readyz, which can never turn 200.
  auto gateway = ChildProcess::Start({VS_GATEWAY_PATH, "--listen=127.0.0.1:0",
                                      "--upstream=" + (*server)->address(),
                                      "--secret-file=" + secrets,
                                      "--upstream-ca=" + pki_.ca_cert});
  ASSERT_THAT(gateway, IsOk());
  WebhookLoad::Options load_options;
  load_options.port = (*gateway)->port();
  load_options.body =
      ReadFile(VS_TESTDATA_DIR "/publication.succeeded.seed.json");
  load_options.placeholder = kSeedPublicationId;
  load_options.ids = {"pub_tls_refused"};
  load_options.secret = kSecret;
  load_options.connections = 1;
  WebhookLoad load(load_options);
  ASSERT_TRUE(load.WaitUntil(
      [](const WebhookLoad::Counts& c) { return c.answered() >= 1; },
      absl::Seconds(30)));
  load.Stop();
  ASSERT_EQ(load.requests().size(), 1U);
  EXPECT_EQ(load.requests()[0].http_status, 503);
}

TEST_F(TlsServerTest, GatewaySendsItsUpstreamToken) {
  grpc::SslServerCredentialsOptions ssl(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = ReadFile(pki_.ca_cert);
  ssl.pem_key_cert_pairs.push_back(
      {ReadFile(pki_.server_key), ReadFile(pki_.server_cert)});
  auto recorder = MetadataRecorder::Start(grpc::SslServerCredentials(ssl));
  ASSERT_THAT(recorder, IsOk());
  const std::string token_file = dir_.File("gateway-token");
  std::ofstream(token_file) << "gw-t0ken\n";
  GatewayProcess::Options options;
  options.upstream = (*recorder)->address();
  options.secret = kSecret;
  options.secret_dir = dir_.path();
  options.extra_args = {"--upstream-ca=" + pki_.ca_cert,
                        "--upstream-cert=" + pki_.client_cert,
                        "--upstream-key=" + pki_.client_key,
                        "--upstream-token-file=" + token_file};
  auto gateway = GatewayProcess::Start(options);
  ASSERT_THAT(gateway, IsOk());
  EXPECT_TRUE(
      (*recorder)->WaitForAuthorization("Bearer gw-t0ken", absl::Seconds(10)));
}

TEST_F(TlsServerTest, CliWithTlsFlags) {
  auto server = StartServer(true, GoodClient());
  ASSERT_THAT(server, IsOk());
  const std::string flag = "--server=" + (*server)->address();
  const std::string envelope =
      VS_TESTDATA_DIR "/voucher.published.envelope.example.json";
  auto published =
      Cli({"publish", flag, "--ca=" + pki_.ca_cert,
           "--cert=" + pki_.client_cert, "--key=" + pki_.client_key, envelope});
  ASSERT_THAT(published, IsOk());
  EXPECT_EQ(published->exit_code, 0) << published->output;
  EXPECT_THAT(published->output, HasSubstr("\"seq\":1"));
  auto got =
      Cli({"get", flag, "--ca=" + pki_.ca_cert, "--cert=" + pki_.client_cert,
           "--key=" + pki_.client_key, "--server-name=localhost", "1"});
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->exit_code, 0) << got->output;
  EXPECT_THAT(got->output, HasSubstr("\"type\":\"voucher.published\""));
  // Without the client certificate: refused.
  auto refused = Cli({"get", flag, "--ca=" + pki_.ca_cert, "1"});
  ASSERT_THAT(refused, IsOk());
  EXPECT_EQ(refused->exit_code, 1);
  EXPECT_THAT(refused->output, HasSubstr("get: UNAVAILABLE"));
  // Half a client certificate: a usage error naming the flags.
  auto half = Cli({"get", flag, "--cert=" + pki_.client_cert, "1"});
  ASSERT_THAT(half, IsOk());
  EXPECT_EQ(half->exit_code, 2);
  EXPECT_THAT(half->output, HasSubstr("--cert and --key"));
}

TEST_F(TlsServerTest, CliSendsItsToken) {
  auto recorder = MetadataRecorder::Start(grpc::InsecureServerCredentials());
  ASSERT_THAT(recorder, IsOk());
  const std::string token_file = dir_.File("cli-token");
  std::ofstream(token_file) << "cli-t0ken";
  auto got = Cli({"get", "--server=" + (*recorder)->address(),
                  "--token-file=" + token_file, "1"});
  ASSERT_THAT(got, IsOk());
  EXPECT_THAT(got->output, HasSubstr("get: UNIMPLEMENTED"));
  EXPECT_TRUE(
      (*recorder)->WaitForAuthorization("Bearer cli-t0ken", absl::Seconds(10)));
}

// The plaintext-on-loopback rule: off loopback without TLS the server warns
// (and still serves); with TLS it does not; the "serving" line says which.
TEST_F(TlsServerTest, WarnsOnlyAboutPlaintextOffLoopback) {
  struct Case {
    std::vector<std::string> flags;
    std::string listen;
    bool warns;
    std::string mode;
  };
  const std::vector<Case> cases = {
      {{}, "0.0.0.0:0", true, "off"},
      {{}, "127.0.0.1:0", false, "off"},
      {{"--tls-cert=" + pki_.server_cert, "--tls-key=" + pki_.server_key},
       "0.0.0.0:0",
       false,
       "on"},
      {{"--tls-cert=" + pki_.server_cert, "--tls-key=" + pki_.server_key,
        "--client-ca=" + pki_.ca_cert},
       "0.0.0.0:0",
       false,
       "mtls"},
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string log = dir_.File(absl::StrCat("server", n, ".log"));
    std::string command = absl::StrCat(
        "exec ", VS_SERVER_PATH, " --listen=", c.listen,
        " --store=sqlite:", dir_.File(absl::StrCat("events", n++, ".db")));
    for (const std::string& flag : c.flags) {
      absl::StrAppend(&command, " ", flag);
    }
    absl::StrAppend(&command, " 2>", log);
    // ChildProcess waits for "listening on", printed after the warning.
    auto server = ChildProcess::Start({"/bin/sh", "-c", command});
    ASSERT_THAT(server, IsOk());
    EXPECT_THAT((*server)->Stop(SIGTERM), IsOk());
    const std::string text = ReadFile(log);
    EXPECT_EQ(absl::StrContains(text, "plaintext gRPC on a non-loopback"),
              c.warns)
        << c.listen << ": " << text;
    EXPECT_THAT(text, HasSubstr(absl::StrCat("\"tls\":\"", c.mode, "\"")));
  }
}

}  // namespace
}  // namespace vouchstream::testing

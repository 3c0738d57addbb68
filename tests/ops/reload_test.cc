// SIGHUP reloads (issue 23, item 5) on the real binaries, with certificates
// made per test: the server's TLS certificate, key and client CA, the
// gateway's HTTPS certificate and key, and the gateway's webhook secrets.
// For each: what was open before the reload keeps working, what opens
// after sees the new material, and a broken reload keeps the old material.
// The binaries run with NOTIFY_SOCKET (notify_socket.h), whose READY=1
// after RELOADING=1 says when a reload is over.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "transcode/signature.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/gateway_e2e/https_client.h"
#include "tests/ops/notified_process.h"
#include "tests/ops/notify_socket.h"
#include "tests/ops/tls_connection.h"
#include "tests/testing/child_process.h"
#include "tests/testing/http_client.h"
#include "tests/testing/seed_bodies.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certs.h"
#include "tests/testing/test_events.h"

namespace vouchstream::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(30);
constexpr absl::Duration kReloadTimeout = absl::Seconds(20);
// The server's TLS watcher looks at the checked copy once a second
// (ReloadableServerTls::Options::refresh_seconds): a new certificate is in
// use at most that long after READY=1. Waits for it poll up to this bound.
constexpr absl::Duration kPickUpBound = absl::Seconds(15);
// A broken reload must change nothing: checked after the watcher has
// looked at its copy at least twice.
constexpr absl::Duration kTwoRefreshes = absl::Milliseconds(2500);
constexpr absl::string_view kTypedPath =
    "/webhooks/voucherify/publication.succeeded";

void Install(const std::string& from, const std::string& to) {
  std::filesystem::copy_file(from, to,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(to, std::filesystem::perms::owner_read |
                                       std::filesystem::perms::owner_write);
}

void WriteSecrets(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
}

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> text = ReadPem(path);
  return text.ok() ? *text : "";
}

// Trusts `ca`; presents `cert`/`key` when given.
std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& ca,
                                              const std::string& cert = "",
                                              const std::string& key = "") {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Read(ca);
  if (!cert.empty()) {
    ssl.pem_cert_chain = Read(cert);
    ssl.pem_private_key = Read(key);
  }
  return grpc::SslCredentials(ssl);
}

// A channel with its own connection: never shares a subchannel with
// another channel of this process.
std::shared_ptr<grpc::Channel> Channel(
    const std::string& address,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, credentials, args);
}

// One health check on a fresh connection; a refused handshake fails fast as
// UNAVAILABLE.
grpc::Status Check(const std::string& address,
                   const std::shared_ptr<grpc::ChannelCredentials>& creds) {
  auto stub = grpc::health::v1::Health::NewStub(Channel(address, creds));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  return stub->Check(&context, request, &response);
}

// Polls `Check` until it succeeds; the last status otherwise.
grpc::Status CheckEventually(
    const std::string& address,
    const std::shared_ptr<grpc::ChannelCredentials>& creds) {
  const absl::Time deadline = absl::Now() + kPickUpBound;
  grpc::Status status = Check(address, creds);
  while (!status.ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
    status = Check(address, creds);
  }
  return status;
}

// An HTTP status code, or -1 when the exchange failed.
int Code(const absl::StatusOr<int>& status) {
  return status.ok() ? *status : -1;
}

// The next event on `reader`, skipping caught-up markers and heartbeats.
std::string NextEventId(grpc::ClientReader<v1::SubscribeResponse>& reader) {
  v1::SubscribeResponse response;
  while (reader.Read(&response)) {
    if (response.has_event()) {
      return response.event().id();
    }
  }
  return "(stream ended)";
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestPki> first = MakeTestPki(dir_.File("pki1"));
    ASSERT_THAT(first, IsOk());
    first_ = *first;
    absl::StatusOr<TestPki> second = MakeTestPki(dir_.File("pki2"));
    ASSERT_THAT(second, IsOk());
    second_ = *second;
    std::filesystem::create_directories(dir_.File("live"));
    cert_ = dir_.File("live/server.pem");
    key_ = dir_.File("live/server.key");
    client_ca_ = dir_.File("live/client-ca.pem");
    InstallServerPki(first_);
    absl::StatusOr<std::unique_ptr<NotifySocket>> notify =
        NotifySocket::Bind(dir_.File("notify"));
    ASSERT_THAT(notify, IsOk());
    notify_ = *std::move(notify);
  }

  void InstallServerPki(const TestPki& pki) {
    Install(pki.server_cert, cert_);
    Install(pki.server_key, key_);
    Install(pki.ca_cert, client_ca_);
  }

  // The server with the live files, TLS (and mTLS when `mutual`).
  void StartServer(bool mutual) {
    std::vector<std::string> args = {VS_SERVER_PATH, "--listen=127.0.0.1:0",
                                     "--store=sqlite:" + dir_.File("events.db"),
                                     "--tls-cert=" + cert_,
                                     "--tls-key=" + key_};
    if (mutual) {
      args.push_back("--client-ca=" + client_ca_);
    }
    absl::StatusOr<std::unique_ptr<ChildProcess>> server =
        StartNotified(args, notify_->path(), log_);
    ASSERT_THAT(server, IsOk());
    server_ = *std::move(server);
    ASSERT_THAT(notify_->WaitFor("READY=1", kStartTimeout), IsOk());
  }

  // A plaintext server behind the gateway.
  void StartUpstream() {
    ServerProcess::Options options;
    options.store_path = dir_.File("upstream.db");
    absl::StatusOr<std::unique_ptr<ServerProcess>> upstream =
        ServerProcess::Start(options);
    ASSERT_THAT(upstream, IsOk());
    upstream_ = *std::move(upstream);
  }

  void StartGateway(std::vector<std::string> extra) {
    std::vector<std::string> args = {VS_GATEWAY_PATH, "--listen=127.0.0.1:0",
                                     "--upstream=" + upstream_->address(),
                                     "--secret-file=" + secrets_};
    args.insert(args.end(), extra.begin(), extra.end());
    absl::StatusOr<std::unique_ptr<ChildProcess>> gateway =
        StartNotified(args, notify_->path(), log_);
    ASSERT_THAT(gateway, IsOk());
    gateway_ = *std::move(gateway);
    ASSERT_THAT(notify_->WaitFor("READY=1", kStartTimeout), IsOk());
  }

  // SIGHUP to `pid`, then waits for RELOADING=1 and READY=1.
  void Reload(pid_t pid) {
    ASSERT_EQ(kill(pid, SIGHUP), 0);
    ASSERT_THAT(notify_->WaitFor("RELOADING=1", kReloadTimeout), IsOk());
    ASSERT_THAT(notify_->WaitFor("READY=1", kReloadTimeout), IsOk());
  }

  // Times the log says `text` (a reload failure line, say).
  int LogCount(const std::string& text) const {
    const std::string log = ReadWholeFile(log_);
    int count = 0;
    for (size_t at = log.find(text); at != std::string::npos;
         at = log.find(text, at + 1)) {
      ++count;
    }
    return count;
  }

  TempDir dir_;
  TestPki first_, second_;
  std::string cert_, key_, client_ca_;
  std::string log_ = dir_.File("process.log");
  std::string secrets_ = dir_.File("webhook-secrets");
  std::unique_ptr<NotifySocket> notify_;
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<ServerProcess> upstream_;
  std::unique_ptr<ChildProcess> gateway_;
};

TEST_F(ReloadTest, ServerCertificateReloadKeepsOpenStreamsAndCalls) {
  ASSERT_NO_FATAL_FAILURE(StartServer(/*mutual=*/false));
  const std::string address = server_->address();
  std::shared_ptr<grpc::Channel> before = Channel(address, Tls(first_.ca_cert));
  ASSERT_THAT(ServerProcess::WaitServing(*before, kStartTimeout), IsOk());
  auto stub = v1::EventService::NewStub(before);
  grpc::ClientContext stream_context;
  v1::SubscribeRequest request;
  request.set_after_seq(0);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> stream =
      stub->Subscribe(&stream_context, request);
  ASSERT_THAT(Publish(*stub, SeedEvent("before-reload")), IsOk());
  EXPECT_EQ(NextEventId(*stream), "before-reload");

  InstallServerPki(second_);
  ASSERT_NO_FATAL_FAILURE(Reload(server_->pid()));

  // New connections: the new certificate, which the new CA verifies and
  // the old one does not.
  EXPECT_TRUE(CheckEventually(address, Tls(second_.ca_cert)).ok());
  EXPECT_EQ(Check(address, Tls(first_.ca_cert)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // The connection made before: still up (a reconnect would now fail the
  // old CA), calls and the open stream go on.
  EXPECT_THAT(Publish(*stub, SeedEvent("after-reload")), IsOk());
  EXPECT_EQ(NextEventId(*stream), "after-reload");
  EXPECT_EQ(LogCount("tls files reloaded"), 1);
  stream_context.TryCancel();
}

TEST_F(ReloadTest, ClientCaReloadAdmitsNewClientsAndKeepsConnectedOnes) {
  ASSERT_NO_FATAL_FAILURE(StartServer(/*mutual=*/true));
  const std::string address = server_->address();
  std::shared_ptr<grpc::Channel> before = Channel(
      address, Tls(first_.ca_cert, first_.client_cert, first_.client_key));
  ASSERT_THAT(ServerProcess::WaitServing(*before, kStartTimeout), IsOk());
  EXPECT_EQ(Check(address,
                  Tls(first_.ca_cert, second_.client_cert, second_.client_key))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);

  InstallServerPki(second_);  // server certificate and client CA
  ASSERT_NO_FATAL_FAILURE(Reload(server_->pid()));

  EXPECT_TRUE(CheckEventually(address, Tls(second_.ca_cert, second_.client_cert,
                                           second_.client_key))
                  .ok());
  // A client whose certificate the old CA signed is refused now.
  EXPECT_EQ(Check(address,
                  Tls(second_.ca_cert, first_.client_cert, first_.client_key))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  auto stub = v1::EventService::NewStub(before);
  EXPECT_THAT(Publish(*stub, SeedEvent("old-client-after-reload")), IsOk());
}

TEST_F(ReloadTest, BrokenServerReloadsKeepTheOldCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartServer(/*mutual=*/false));
  const std::string address = server_->address();
  ASSERT_TRUE(CheckEventually(address, Tls(first_.ca_cert)).ok());
  struct Case {
    const char* name;
    std::function<void()> break_files;
    const char* logged;
  };
  const std::vector<Case> cases = {
      {"key of another certificate",
       [&] {
         Install(second_.server_cert, cert_);
         Install(first_.server_key, key_);
       },
       "does not match"},
      {"unreadable key", [&] { std::filesystem::remove(key_); }, "cannot read"},
      {"key readable by others",
       [&] {
         Install(second_.server_cert, cert_);
         Install(second_.server_key, key_);
         std::filesystem::permissions(key_, std::filesystem::perms::others_read,
                                      std::filesystem::perm_options::add);
       },
       "lets group/others read it"},
      {"not a certificate",
       [&] {
         WriteSecrets(cert_, "not pem\n");
         Install(second_.server_key, key_);
       },
       "holds no PEM CERTIFICATE"},
  };
  int failures = 0;
  for (const Case& broken : cases) {
    SCOPED_TRACE(broken.name);
    broken.break_files();
    ASSERT_NO_FATAL_FAILURE(Reload(server_->pid()));
    ++failures;
    EXPECT_EQ(LogCount("tls files reload failed; keeping the old ones"),
              failures);
    EXPECT_EQ(LogCount(broken.logged), 1);
    // Let the watcher look twice: nothing may have changed.
    absl::SleepFor(kTwoRefreshes);
    EXPECT_TRUE(Check(address, Tls(first_.ca_cert)).ok());
    EXPECT_FALSE(Check(address, Tls(second_.ca_cert)).ok());
  }
  // Still running, and a good reload still works.
  InstallServerPki(second_);
  ASSERT_NO_FATAL_FAILURE(Reload(server_->pid()));
  EXPECT_TRUE(CheckEventually(address, Tls(second_.ca_cert)).ok());
}

TEST_F(ReloadTest, GatewayHttpsReloadKeepsOpenConnections) {
  ASSERT_NO_FATAL_FAILURE(StartUpstream());
  WriteSecrets(secrets_, "gateway-secret\n");
  ASSERT_NO_FATAL_FAILURE(
      StartGateway({"--tls-cert=" + cert_, "--tls-key=" + key_}));
  const int port = gateway_->port();
  absl::StatusOr<std::unique_ptr<TlsConnection>> before =
      TlsConnection::Connect(port, first_.ca_cert);
  ASSERT_THAT(before, IsOk());
  EXPECT_EQ(Code((*before)->Get("/healthz")), 200);
  EXPECT_TRUE((*before)->PeerIs(first_.server_cert));

  InstallServerPki(second_);
  ASSERT_NO_FATAL_FAILURE(Reload(gateway_->pid()));
  EXPECT_EQ(LogCount("tls certificate and key reloaded"), 1);

  // The open connection goes on with its session.
  EXPECT_EQ(Code((*before)->Get("/healthz")), 200);
  EXPECT_TRUE((*before)->PeerIs(first_.server_cert));
  // New connections get the new certificate: the new CA verifies it, the
  // old one does not.
  absl::StatusOr<std::unique_ptr<TlsConnection>> after =
      TlsConnection::Connect(port, second_.ca_cert);
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE((*after)->PeerIs(second_.server_cert));
  EXPECT_EQ(Code((*after)->Get("/healthz")), 200);
  EXPECT_THAT(TlsConnection::Connect(port, first_.ca_cert),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  const std::string body = UniqueSeed("pub_reload_tls");
  absl::StatusOr<HttpResponse> webhook = HttpsRequest(
      port, second_.ca_cert, "POST", std::string{kTypedPath}, body,
      {{"x-voucherify-signature", transcode::SignHex("gateway-secret", body)}});
  ASSERT_THAT(webhook, IsOk());
  EXPECT_EQ(webhook->status, 200) << webhook->body;
}

TEST_F(ReloadTest, BrokenGatewayTlsReloadsKeepTheOldCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartUpstream());
  WriteSecrets(secrets_, "gateway-secret\n");
  ASSERT_NO_FATAL_FAILURE(
      StartGateway({"--tls-cert=" + cert_, "--tls-key=" + key_}));
  const int port = gateway_->port();

  Install(second_.server_cert, cert_);  // with the first key: no match
  ASSERT_NO_FATAL_FAILURE(Reload(gateway_->pid()));
  // OpenSSL's words for it ("key values mismatch"), after the flag.
  EXPECT_EQ(LogCount("keeping the old tls certificate and key\","
                     "\"status\":{\"code\":\"INVALID_ARGUMENT\","
                     "\"error\":\"--tls-key="),
            1)
      << ReadWholeFile(log_);
  EXPECT_THAT(TlsConnection::Connect(port, first_.ca_cert), IsOk());

  Install(second_.server_key, key_);
  std::filesystem::permissions(key_, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  ASSERT_NO_FATAL_FAILURE(Reload(gateway_->pid()));
  EXPECT_EQ(LogCount("keeping the old tls certificate and key"), 2);
  EXPECT_EQ(LogCount("lets group/others read it"), 1);
  absl::StatusOr<std::unique_ptr<TlsConnection>> still =
      TlsConnection::Connect(port, first_.ca_cert);
  ASSERT_THAT(still, IsOk());
  EXPECT_TRUE((*still)->PeerIs(first_.server_cert));
  EXPECT_EQ(Code((*still)->Get("/healthz")), 200);
}

TEST_F(ReloadTest, GatewaySecretRotation) {
  ASSERT_NO_FATAL_FAILURE(StartUpstream());
  WriteSecrets(secrets_, "old-secret\n");
  ASSERT_NO_FATAL_FAILURE(StartGateway({}));
  HttpConnection open;  // kept open across the reloads
  ASSERT_THAT(open.Connect("127.0.0.1", gateway_->port()), IsOk());
  int sent = 0;
  auto post = [&](const std::string& secret) {
    const std::string body =
        UniqueSeed(absl::StrCat("pub_rotation_", ++sent, "_"));
    absl::StatusOr<HttpResponse> response = open.Post(
        std::string{kTypedPath}, body,
        {{"x-voucherify-signature", transcode::SignHex(secret, body)}});
    return response.ok() ? response->status : -1;
  };
  EXPECT_EQ(post("old-secret"), 200);
  EXPECT_EQ(post("new-secret"), 401);

  // Rotation, step 1: both listed, both accepted.
  WriteSecrets(secrets_, "old-secret\nnew-secret\n");
  ASSERT_NO_FATAL_FAILURE(Reload(gateway_->pid()));
  EXPECT_EQ(LogCount(R"("msg":"webhook secrets reloaded","in_force":2)"), 1);
  EXPECT_EQ(post("old-secret"), 200);
  EXPECT_EQ(post("new-secret"), 200);

  // Step 2: the old one removed is refused.
  WriteSecrets(secrets_, "# rotated\nnew-secret\n");
  ASSERT_NO_FATAL_FAILURE(Reload(gateway_->pid()));
  EXPECT_EQ(post("old-secret"), 401);
  EXPECT_EQ(post("new-secret"), 200);

  // Broken reloads keep the secrets in force: an empty file, a file
  // others may read, no file.
  WriteSecrets(secrets_, "# nothing here\n\n");
  ASSERT_NO_FATAL_FAILURE(Reload(gateway_->pid()));
  WriteSecrets(secrets_, "other-secret\n");
  std::filesystem::permissions(secrets_, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  ASSERT_NO_FATAL_FAILURE(Reload(gateway_->pid()));
  std::filesystem::remove(secrets_);
  ASSERT_NO_FATAL_FAILURE(Reload(gateway_->pid()));
  EXPECT_EQ(LogCount("keeping the old webhook secrets"), 3);
  EXPECT_EQ(LogCount("lets group/others read it"), 1);
  EXPECT_EQ(post("other-secret"), 401);
  EXPECT_EQ(post("new-secret"), 200);
  // A fresh connection sees the same.
  const std::string body = UniqueSeed("pub_rotation_fresh");
  absl::StatusOr<HttpResponse> fresh = HttpPost(
      gateway_->port(), std::string{kTypedPath}, body,
      {{"x-voucherify-signature", transcode::SignHex("new-secret", body)}});
  ASSERT_THAT(fresh, IsOk());
  EXPECT_EQ(fresh->status, 200);
}

}  // namespace
}  // namespace vouchstream::testing

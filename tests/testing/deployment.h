#pragma once
// One vouchstream deployment for one test: a temp dir, a store, real
// `vouchstream-server` processes on it and real `vouchstream-gateway`
// processes in front of them, all on 127.0.0.1 with port 0 and waited for
// (health SERVING, `GET /readyz` 200), never slept for.
//
//   Deployment::Options options;
//   options.store = GetParam();         // StoreKind::kSqlite / kJetStream
//   options.gateways = 1;
//   options.gateway_args = {"--publish-deadline=3s"};
//   auto deployment = Deployment::Start(options);
//   ASSERT_THAT(deployment, IsOk());
//   Deployment& d = **deployment;
//   auto answer = d.PostWebhook("/webhooks/voucherify/publication.succeeded",
//                               body);
//   auto stub = d.NewStub();
//   Subscriber subscriber(*stub, request);  // test_events.h
//   ASSERT_THAT(d.KillServer(), IsOk());     // SIGKILL
//   ASSERT_THAT(d.RestartServer(), IsOk());  // same store, same address
//
// Defaults (Options):
//   store               kSqlite: `dir()`/events.db
//   servers             1, each started with `server_args`
//   gateways            0; gateway i is in front of server i % servers
//   secret              "deployment-secret", in `dir()`/gateway-secrets
//
// The destructor SIGKILLs what still runs (gateways first); `Stop()` is the
// clean way down. Thread-compatible.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/testing/gateway_process.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_store.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {

class Deployment {
 public:
  struct Options {
    // The event log: a SQLite file or a nats-server -js of its own
    // (test_store.h).
    StoreKind store = StoreKind::kSqlite;
    // With kSqlite: the file, instead of `dir()`/events.db (e.g. on a
    // tmpfs). Directories in it are left for the server to create.
    std::string sqlite_path;
    // Any other `--store` value (e.g. a JetStream cluster's); wins over
    // `store` when not empty.
    std::string store_url;

    int servers = 1;
    // Flags for every server, e.g. "--retention_max_count=5".
    std::vector<std::string> server_args;
    // How `NewStub()` and the health wait reach a TLS server; null:
    // plaintext (ServerProcess::Options::channel_credentials).
    std::shared_ptr<grpc::ChannelCredentials> channel_credentials;

    int gateways = 0;
    // The webhook secret every gateway checks signatures with.
    std::string secret = "deployment-secret";
    // Flags for every gateway, e.g. "--publish-deadline=2s".
    std::vector<std::string> gateway_args;
    // False for HTTPS gateways (GatewayProcess::Options::wait_ready).
    bool gateway_wait_ready = true;
  };

  static absl::StatusOr<std::unique_ptr<Deployment>> Start(Options options);
  // One server on `store`, no gateway: the integration tests' usual start.
  static absl::StatusOr<std::unique_ptr<Deployment>> Start(StoreKind store);

  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;
  ~Deployment();

  const TempDir& dir() const { return dir_; }
  const Options& options() const { return options_; }
  // The store, e.g. `store()->nats()` for the JetStream store's
  // nats-server; null with `store_url` or `sqlite_path`.
  TestStore* store() const { return store_.get(); }

  // Server `i`, which must be running (not stopped or killed).
  ServerProcess& server(int i = 0) const;
  bool server_running(int i = 0) const;
  // "127.0.0.1:PORT" of server `i`; the same across restarts.
  const std::string& server_address(int i = 0) const;
  // A stub on server `i`'s channel (which restarts replace).
  std::unique_ptr<v1::EventService::Stub> NewStub(int i = 0) const;

  // Sends SIGTERM to server `i` and waits; kInternal unless it exits 0
  // within `timeout`.
  absl::Status StopServer(int i = 0,
                          absl::Duration timeout = absl::Seconds(20));
  // Sends SIGKILL to server `i` and reaps it.
  absl::Status KillServer(int i = 0);
  // Starts server `i` again after a stop or kill: same store, same address,
  // with `server_args` plus `extra_args`; gateways reconnect by themselves.
  absl::Status RestartServer(int i = 0,
                             const std::vector<std::string>& extra_args = {});
  // Starts one more server on the same store (port 0, `server_args` plus
  // `extra_args`), not owned by the deployment: e.g. one expected to fail.
  absl::StatusOr<std::unique_ptr<ServerProcess>> StartServerProcess(
      const std::vector<std::string>& extra_args = {}) const;

  // Gateway `i`, which must be running.
  GatewayProcess& gateway(int i = 0) const;
  int gateway_port(int i = 0) const { return gateway(i).port(); }
  // Sends SIGTERM to gateway `i` and waits; kInternal unless it exits 0.
  absl::Status StopGateway(int i = 0);
  // SIGKILLs gateway `i` (if it runs) and reaps it.
  void KillGateway(int i = 0);
  // Starts one more gateway in front of server `server` with the secret
  // and `args` (instead of `gateway_args`), not owned by the deployment.
  absl::StatusOr<std::unique_ptr<GatewayProcess>> StartGateway(
      const std::vector<std::string>& args, bool wait_ready = true,
      int server = 0) const;

  const std::string& secret() const { return options_.secret; }
  // The file the gateways read the secret from.
  std::string secret_file() const { return dir_.File("gateway-secrets"); }
  // The headers Voucherify signs `body` with, under `secret()`.
  Headers SignatureHeaders(const std::string& body) const;
  // POSTs `body` to gateway `gateway` at `path`, signed, on a fresh
  // connection.
  absl::StatusOr<HttpResponse> PostWebhook(const std::string& path,
                                           const std::string& body,
                                           int gateway = 0) const;
  // A load of signed seed webhooks (publication.succeeded, the seed's
  // publication id replaced by `id_prefix` + a counter) on gateway
  // `gateway`; the caller sets the rest (connections, pause, ...).
  WebhookLoad::Options LoadOptions(const std::string& id_prefix,
                                   int gateway = 0) const;

  // Stops every gateway, then every server (SIGTERM); the first error.
  // Callers drop their stubs first: an open connection holds a server's
  // drain.
  absl::Status Stop();

 private:
  explicit Deployment(Options options) : options_(std::move(options)) {}

  // Server `i` with `server_args` + `extra_args` on `listen` (or port 0).
  absl::StatusOr<std::unique_ptr<ServerProcess>> LaunchServer(
      const std::vector<std::string>& extra_args,
      const std::string& listen) const;
  absl::Status StartAll();

  Options options_;
  TempDir dir_;
  std::unique_ptr<TestStore> store_;
  // `--store` and the channel credentials for every server.
  ServerProcess::Options server_options_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  std::vector<std::string> server_addresses_;
  std::vector<std::unique_ptr<GatewayProcess>> gateways_;
};

}  // namespace vouchstream::testing

#pragma once
// Runs a real `nats-server -js` for tests: on 127.0.0.1 with a port the
// kernel picks (`-p -1`), its store in a directory the test owns, read back
// from the ports file the server writes once it accepts clients (waited for
// with a deadline). Optionally one node of a JetStream cluster.
//
//   TempDir dir;
//   NatsServer::Options options;
//   options.dir = dir.File("nats");
//   auto nats = NatsServer::Start(options);
//   ASSERT_THAT(nats, IsOk());
//   std::string store = (*nats)->url() + "?stream=EVENTS";  // nats://...
//
// The destructor SIGKILLs a server still running. Thread-compatible.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include <sys/types.h>

namespace vouchstream::testing {

class NatsServer {
 public:
  struct Options {
    // (required) Holds the JetStream store (`DIR/store`), the log
    // (`DIR/nats.log`) and the ports file; created if missing.
    std::string dir;
    // Client port; -1 lets the kernel pick. A restarted cluster node passes
    // its old ports again.
    int port = -1;
    // Cluster membership (all empty/0: a single server). `routes` are
    // "nats://127.0.0.1:PORT" of the other nodes' cluster ports; JetStream
    // refuses to start a cluster node without them, so cluster ports are
    // chosen up front (see tests/jetstream/nats_cluster.h).
    std::string server_name;
    std::string cluster_name;
    int cluster_port = 0;
    std::vector<std::string> routes;
    absl::Duration start_timeout = absl::Seconds(20);
  };

  static absl::StatusOr<std::unique_ptr<NatsServer>> Start(
      const Options& options);

  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;
  ~NatsServer();

  int port() const { return port_; }
  int cluster_port() const { return cluster_port_; }
  pid_t pid() const { return pid_; }
  // "nats://127.0.0.1:PORT".
  std::string url() const;
  // "nats://127.0.0.1:CLUSTER_PORT", for other nodes' `routes`.
  std::string route() const;

  // Sends `signal` (SIGKILL: a crash; SIGTERM: a clean stop) and waits for
  // the exit, bounded by `timeout`.
  absl::Status Stop(int signal, absl::Duration timeout = absl::Seconds(20));
  bool running() const { return pid_ > 0; }

 private:
  explicit NatsServer(pid_t pid) : pid_(pid) {}

  pid_t pid_;
  int port_ = 0;
  int cluster_port_ = 0;
};

// Waits until `urls` (comma-separated "nats://..." list) answers JetStream
// account requests, i.e. a single server is up or a cluster has elected its
// meta leader. Bounded by `timeout`.
absl::Status WaitJetStreamReady(const std::string& urls,
                                absl::Duration timeout = absl::Seconds(30));

}  // namespace vouchstream::testing

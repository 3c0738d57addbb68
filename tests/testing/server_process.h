#pragma once
// Runs the real `vouchstream-server` binary for integration tests: starts it
// on 127.0.0.1 port 0, reads the port it prints, and waits (with a deadline,
// never a sleep) until its grpc.health.v1 check answers SERVING.
//
//   ServerProcess::Options options;
//   options.store_path = dir.path() + "/events.db";
//   auto server = ServerProcess::Start(options);
//   ASSERT_THAT(server, IsOk());
//   auto stub = v1::EventService::NewStub((*server)->channel());
//   ...
//   EXPECT_THAT((*server)->Stop(), IsOk());  // SIGTERM, then waitpid
//
// Thread-compatible.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include <sys/types.h>

#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {

class ServerProcess {
 public:
  struct Options {
    // The SQLite file (`--store=sqlite:PATH`), unless `store_url` is set.
    std::string store_path;
    // Any other `--store` value, e.g. "nats://127.0.0.1:4222?stream=EVENTS"
    // (see test_store.h); wins over `store_path` when not empty.
    std::string store_url;
    // More flags, e.g. "--retention_max_count=5".
    std::vector<std::string> extra_args;
    // How `channel()` (and the start-up health wait) reaches a server
    // started with --tls-cert: e.g. grpc::SslCredentials with the test CA
    // (and a client certificate under --client-ca). Null: plaintext.
    std::shared_ptr<grpc::ChannelCredentials> channel_credentials;
    absl::Duration start_timeout = absl::Seconds(20);
  };

  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const Options& options);

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  // Kills the process if it still runs.
  ~ServerProcess() = default;

  // "127.0.0.1:PORT".
  const std::string& address() const { return address_; }
  pid_t pid() const { return process_->pid(); }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // HOST:PORT of the metrics endpoint ("metrics on ..."), when started with
  // --metrics_listen; empty otherwise.
  std::string metrics_address() const;

  // Sends SIGTERM and waits for the exit; kInternal unless it exits 0
  // within `timeout`.
  absl::Status Stop(absl::Duration timeout = absl::Seconds(20));

  // The server's resident set size (VmRSS), in KiB.
  absl::StatusOr<int64_t> RssKib() const;

  // Waits until the server's health check reports SERVING.
  static absl::Status WaitServing(grpc::Channel& channel,
                                  absl::Duration timeout);

 private:
  explicit ServerProcess(std::unique_ptr<ChildProcess> process)
      : process_(std::move(process)) {}

  std::unique_ptr<ChildProcess> process_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace vouchstream::testing

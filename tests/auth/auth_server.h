#pragma once
// Helpers for the access-control tests: a real vouchstream-server started
// with an access file and its stderr (the JSON log) in a file the test can
// read, and channels that send a bearer token with every call.
//
//   TempDir dir;
//   WriteFile(dir.File("access.json"), json);
//   auto server = AuthServer::Start(dir, {"--access=" +
//   dir.File("access.json")}); ASSERT_THAT(server, IsOk()); auto stub =
//   v1::EventService::NewStub((*server)->Channel("crm-token"));
//   ...
//   (*server)->Reload();                 // SIGHUP
//   std::string log = (*server)->Log();  // stderr so far
//
// Thread-compatible.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {

// Writes `text` to `path`, replacing it, with mode 0600.
void WriteFile(const std::string& path, const std::string& text);

// A channel to `address` whose calls carry `authorization: Bearer <token>`
// (none when `token` is empty).
std::shared_ptr<grpc::Channel> TokenChannel(const std::string& address,
                                            const std::string& token);

class AuthServer {
 public:
  // Starts vouchstream-server on 127.0.0.1:0 with a SQLite store in `dir`,
  // stderr appended to dir/server.log, and `args`; waits until its health
  // check answers SERVING, over `credentials` (null: plaintext; a server
  // started with --tls-cert needs TLS ones). If it exits first, the error
  // carries its log.
  static absl::StatusOr<std::unique_ptr<AuthServer>> Start(
      const TempDir& dir, const std::vector<std::string>& args,
      std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

  const std::string& address() const { return process_->address(); }
  pid_t pid() const { return process_->pid(); }
  std::shared_ptr<grpc::Channel> Channel(const std::string& token) const {
    return TokenChannel(address(), token);
  }

  // Sends SIGHUP (reference and access file reload).
  void Reload() const;
  // Waits until the log holds `count` lines containing `text`; false if not
  // within 20 s.
  bool WaitForLog(const std::string& text, int count = 1) const;
  // The server's stderr so far.
  std::string Log() const;
  // SIGTERM and wait; kInternal unless it exits 0.
  absl::Status Stop();

 private:
  AuthServer(std::unique_ptr<ChildProcess> process, std::string log_path)
      : process_(std::move(process)), log_path_(std::move(log_path)) {}

  std::unique_ptr<ChildProcess> process_;
  std::string log_path_;
};

}  // namespace vouchstream::testing

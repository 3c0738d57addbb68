#pragma once
// Runs a real binary for integration tests: starts it with its stdout on a
// pipe, waits (with a deadline, never a sleep) for the line
// "listening on HOST:PORT" that vouchstream-server and vouchstream-gateway
// print, and stops it with a signal.
//
//   auto gateway = ChildProcess::Start(
//       {kGatewayBinary, "--listen=127.0.0.1:0", ...});
//   ASSERT_THAT(gateway, IsOk());
//   int port = (*gateway)->port();
//
// Thread-compatible.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include <sys/types.h>

namespace vouchstream::testing {

class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv,
      absl::Duration timeout = absl::Seconds(20));

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // SIGKILL if still running.

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // "127.0.0.1:PORT" (the printed address).
  const std::string& address() const { return address_; }
  // The lines printed before "listening on", e.g. "metrics on HOST:PORT".
  const std::vector<std::string>& lines_before() const { return lines_before_; }

  // Sends `signal` and waits for the exit; kDeadlineExceeded if it does not
  // exit within `timeout` (it is then killed).
  absl::Status Stop(int signal, absl::Duration timeout = absl::Seconds(20));

  // After Stop: whether the process exited by itself with status 0.
  bool exited_cleanly() const { return exited_cleanly_; }

 private:
  ChildProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}

  pid_t pid_;
  int stdout_fd_;
  int port_ = 0;
  bool exited_cleanly_ = false;
  std::string address_;
  std::vector<std::string> lines_before_;
};

}  // namespace vouchstream::testing

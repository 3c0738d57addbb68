#pragma once
// Starts vouchstream-server or vouchstream-gateway as systemd would start a
// Type=notify unit: with NOTIFY_SOCKET set (see notify_socket.h), and with
// its stderr (the log) appended to a file the test reads. The binary runs
// under the same pid as the returned ChildProcess (/bin/sh execs it), so
// signals reach it directly.
//
//   auto server = StartNotified({VS_SERVER_PATH, "--listen=127.0.0.1:0", ...},
//                               notify->path(), dir.File("server.log"));
//
// Thread-compatible.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "tests/testing/child_process.h"

namespace vouchstream::testing {

absl::StatusOr<std::unique_ptr<ChildProcess>> StartNotified(
    const std::vector<std::string>& argv, const std::string& notify_socket,
    const std::string& stderr_file);

// The whole file, or "" when it cannot be read.
std::string ReadWholeFile(const std::string& path);

}  // namespace vouchstream::testing

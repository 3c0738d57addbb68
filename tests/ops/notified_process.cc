#include "tests/ops/notified_process.h"

#include <fstream>
#include <sstream>

#include "absl/strings/string_view.h"

namespace vouchstream::testing {
namespace {

// Sets NOTIFY_SOCKET to $1, appends stderr to $2 and execs the rest.
constexpr absl::string_view kWrapper =
    "NOTIFY_SOCKET=\"$1\"; export NOTIFY_SOCKET; log=\"$2\"; shift 2; "
    "exec \"$@\" 2>>\"$log\"";

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> StartNotified(
    const std::vector<std::string>& argv, const std::string& notify_socket,
    const std::string& stderr_file) {
  std::vector<std::string> wrapped = {
      "/bin/sh", "-c", std::string{kWrapper}, "sh", notify_socket, stderr_file};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return ChildProcess::Start(wrapped);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace vouchstream::testing

#include "tests/metrics/prometheus_server.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "tests/testing/http_client.h"

namespace vouchstream::testing {
namespace {

// A port free on 127.0.0.1 a moment ago (Prometheus cannot report the port
// it picked for :0).
absl::StatusOr<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return absl::InternalError("socket failed");
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  if (port == 0) {
    return absl::InternalError("no free port");
  }
  return port;
}

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string UrlEncode(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(c);
    } else {
      absl::StrAppend(&out, "%", absl::BytesToHexString(std::string(1, c)));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PrometheusServer>> PrometheusServer::Start(
    const std::string& dir, const std::string& config, absl::Duration timeout) {
  const std::string config_path = absl::StrCat(dir, "/prometheus.yml");
  {
    std::ofstream out(config_path);
    out << config;
  }
  absl::StatusOr<int> port = FreePort();
  if (!port.ok()) {
    return port.status();
  }
  const std::string log_path = absl::StrCat(dir, "/prometheus.log");
  const std::vector<std::string> argv = {
      "prometheus", absl::StrCat("--config.file=", config_path),
      absl::StrCat("--storage.tsdb.path=", dir, "/prometheus-data"),
      absl::StrCat("--web.listen-address=127.0.0.1:", *port),
      "--log.level=warn"};
  const pid_t pid = fork();
  if (pid < 0) {
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  auto server = std::unique_ptr<PrometheusServer>(
      new PrometheusServer(pid, *port, log_path));
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      server->pid_ = -1;
      return absl::InternalError(absl::StrCat(
          "prometheus exited before it was ready; see ", log_path));
    }
    absl::StatusOr<HttpResponse> ready = HttpGet(*port, "/-/ready");
    if (ready.ok() && ready->status == 200) {
      return server;
    }
    absl::SleepFor(absl::Milliseconds(50));  // Polling a readiness probe.
  }
  return absl::DeadlineExceededError(
      absl::StrCat("prometheus not ready in time; see ", log_path));
}

PrometheusServer::~PrometheusServer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

absl::StatusOr<google::protobuf::Struct> PrometheusServer::Api(
    const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& params) const {
  std::string target = path;
  char separator = '?';
  for (const auto& [name, value] : params) {
    absl::StrAppend(&target, std::string(1, separator), UrlEncode(name), "=",
                    UrlEncode(value));
    separator = '&';
  }
  absl::StatusOr<HttpResponse> response = HttpGet(port_, target);
  if (!response.ok()) {
    return response.status();
  }
  if (response->status != 200) {
    return absl::InternalError(absl::StrCat(
        "GET ", target, ": HTTP ", response->status, " ", response->body));
  }
  google::protobuf::Struct answer;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(response->body, &answer);
  if (!parsed.ok()) {
    return absl::InternalError(
        absl::StrCat("GET ", target, ": not JSON: ", response->body));
  }
  return answer;
}

}  // namespace vouchstream::testing

#include "tests/testing/nats_server.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include <nats/nats.h>
#include <sys/wait.h>

namespace vouchstream::testing {
namespace {

// The first port in the ports file's `"KEY":["nats://127.0.0.1:PORT"...]`.
int PortOf(const std::string& json, absl::string_view key) {
  const size_t at = json.find(absl::StrCat("\"", key, "\""));
  if (at == std::string::npos) {
    return 0;
  }
  const size_t end = json.find('"', json.find("://", at) + 3);
  const size_t colon = json.rfind(':', end);
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(json.substr(colon + 1, end - colon - 1), &port)) {
    return 0;
  }
  return port;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NatsServer>> NatsServer::Start(
    const Options& options) {
  std::error_code error;
  std::filesystem::create_directories(options.dir + "/store", error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create ", options.dir, ": ", error.message()));
  }
  std::vector<std::string> argv = {"nats-server",
                                   "-js",
                                   "-a",
                                   "127.0.0.1",
                                   "-p",
                                   absl::StrCat(options.port),
                                   "-sd",
                                   options.dir + "/store",
                                   "--ports_file_dir",
                                   options.dir};
  if (!options.server_name.empty()) {
    argv.insert(argv.end(), {"--server_name", options.server_name});
  }
  if (options.cluster_port != 0) {
    argv.insert(argv.end(),
                {"--cluster_name", options.cluster_name, "--cluster",
                 absl::StrCat("nats://127.0.0.1:", options.cluster_port)});
    if (!options.routes.empty()) {
      argv.insert(argv.end(), {"--routes", absl::StrJoin(options.routes, ",")});
    }
  }
  const std::string log_path = options.dir + "/nats.log";
  const pid_t pid = fork();
  if (pid < 0) {
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (std::string& arg : argv) {
      args.push_back(arg.data());
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  std::unique_ptr<NatsServer> server(new NatsServer(pid));
  const std::string ports_file =
      absl::StrCat(options.dir, "/nats-server_", pid, ".ports");
  const absl::Time deadline = absl::Now() + options.start_timeout;
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      server->pid_ = -1;
      return absl::InternalError(
          absl::StrCat("nats-server exited before listening; see ", log_path));
    }
    std::ifstream in(ports_file);
    const std::string json(std::istreambuf_iterator<char>(in), {});
    server->port_ = PortOf(json, "nats");
    server->cluster_port_ = options.cluster_port > 0 ? options.cluster_port
                                                     : PortOf(json, "cluster");
    if (server->port_ > 0 &&
        (options.cluster_port == 0 || server->cluster_port_ > 0)) {
      return server;
    }
    // The server writes the file once it accepts clients; nothing to block
    // on short of inotify, so poll it.
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("nats-server wrote no ports file in time; see ", log_path));
}

NatsServer::~NatsServer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string NatsServer::url() const {
  return absl::StrCat("nats://127.0.0.1:", port_);
}

std::string NatsServer::route() const {
  return absl::StrCat("nats://127.0.0.1:", cluster_port_);
}

absl::Status NatsServer::Stop(int signal, absl::Duration timeout) {
  if (pid_ <= 0) {
    return absl::OkStatus();
  }
  kill(pid_, signal);
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return absl::DeadlineExceededError("nats-server did not exit in time");
}

absl::Status WaitJetStreamReady(const std::string& urls,
                                absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last_error = "not tried";
  while (absl::Now() < deadline) {
    natsConnection* connection = nullptr;
    natsStatus status = natsConnection_ConnectTo(&connection, urls.c_str());
    if (status == NATS_OK) {
      jsCtx* js = nullptr;
      status = natsConnection_JetStream(&js, connection, nullptr);
      if (status == NATS_OK) {
        jsAccountInfo* info = nullptr;
        jsErrCode js_error = static_cast<jsErrCode>(0);
        status = js_GetAccountInfo(&info, js, nullptr, &js_error);
        jsAccountInfo_Destroy(info);
        jsCtx_Destroy(js);
      }
      natsConnection_Destroy(connection);
    }
    if (status == NATS_OK) {
      return absl::OkStatus();
    }
    last_error = natsStatus_GetText(status);
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("JetStream at ", urls, " not ready: ", last_error));
}

}  // namespace vouchstream::testing

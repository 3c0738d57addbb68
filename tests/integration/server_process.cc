#include "tests/integration/server_process.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include <sys/wait.h>

namespace vouchstream::testing {
namespace {

// Reads one line from `fd` before `deadline`.
absl::StatusOr<std::string> ReadLine(int fd, absl::Time deadline) {
  std::string line;
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("no line from the server; got \"", line, "\""));
    }
    pollfd pfd{fd, POLLIN, 0};
    const int ready =
        poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      continue;
    }
    char c = 0;
    const ssize_t n = read(fd, &c, 1);
    if (n <= 0) {
      return absl::UnavailableError(
          absl::StrCat("server closed stdout; got \"", line, "\""));
    }
    if (c == '\n') {
      return line;
    }
    line += c;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const Options& options) {
  std::vector<std::string> args = {VS_SERVER_PATH, "--listen=127.0.0.1:0",
                                   "--store=sqlite:" + options.store_path};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  int out[2];
  if (pipe(out) != 0) {
    return absl::InternalError("pipe failed");
  }
  const pid_t pid = fork();
  if (pid < 0) {
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv;
    for (std::string& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::unique_ptr<ServerProcess> server(new ServerProcess(pid, out[0]));
  const absl::Time deadline = absl::Now() + options.start_timeout;
  absl::StatusOr<std::string> line = ReadLine(out[0], deadline);
  if (!line.ok()) {
    return line.status();
  }
  absl::string_view address = *line;
  if (!absl::ConsumePrefix(&address, "listening on ")) {
    return absl::InternalError(absl::StrCat("unexpected line: ", *line));
  }
  server->address_ = std::string(address);
  grpc::ChannelArguments args_for_channel;
  args_for_channel.SetMaxReceiveMessageSize(64 << 20);
  server->channel_ = grpc::CreateCustomChannel(
      server->address_, grpc::InsecureChannelCredentials(), args_for_channel);
  absl::Status serving = WaitServing(*server->channel_, deadline - absl::Now());
  if (!serving.ok()) {
    return serving;
  }
  return server;
}

absl::Status ServerProcess::WaitServing(grpc::Channel& channel,
                                        absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  const absl::Time deadline = absl::Now() + timeout;
  std::string last_error = "no answer";
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    // Waits for the connection (up to the deadline) instead of failing fast.
    context.set_wait_for_ready(true);
    context.set_deadline(
        absl::ToChronoTime(std::min(deadline, absl::Now() + absl::Seconds(2))));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = stub->Check(&context, request, &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    last_error = status.ok() ? "not SERVING" : status.error_message();
  }
  return absl::DeadlineExceededError(
      absl::StrCat("server not SERVING in time: ", last_error));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(stdout_fd_);
}

absl::Status ServerProcess::Stop(absl::Duration timeout) {
  if (pid_ <= 0) {
    return absl::OkStatus();
  }
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int wstatus = 0;
    const pid_t done = waitpid(pid_, &wstatus, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        return absl::OkStatus();
      }
      return absl::InternalError(
          absl::StrCat("server exited with wait status ", wstatus));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("server did not stop in time");
    }
    // Polling a child's exit: there is no fd to wait on without a pidfd.
    absl::SleepFor(absl::Milliseconds(10));
  }
}

absl::StatusOr<int64_t> ServerProcess::RssKib() const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "VmRSS:")) {
      rest = absl::StripAsciiWhitespace(rest);
      absl::ConsumeSuffix(&rest, " kB");
      int64_t kib = 0;
      if (absl::SimpleAtoi(rest, &kib)) {
        return kib;
      }
    }
  }
  return absl::NotFoundError("no VmRSS");
}

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string tmpl =
      absl::StrCat(base != nullptr ? base : "/tmp", "/vs-it-XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::abort();
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace vouchstream::testing

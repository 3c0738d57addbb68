#include "tests/testing/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include <sys/wait.h>

namespace vouchstream::testing {
namespace {

constexpr absl::string_view kListening = "listening on ";

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, absl::Duration timeout) {
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
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  std::unique_ptr<ChildProcess> child(new ChildProcess(pid, out[0]));
  const absl::Time deadline = absl::Now() + timeout;
  std::string line;
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat(argv[0], ": no \"listening on\" line in time"));
    }
    pollfd pfd{child->stdout_fd_, POLLIN, 0};
    const int ready =
        poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      continue;
    }
    char c = 0;
    const ssize_t n = read(child->stdout_fd_, &c, 1);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      // Say how it ended: an exit code (127: exec failed) or a signal.
      int status = 0;
      std::string how = n == 0 ? "it closed its stdout" : "its stdout failed";
      pid_t reaped = 0;
      for (int tries = 0; n == 0 && reaped == 0 && tries < 100; ++tries) {
        reaped = waitpid(child->pid_, &status, WNOHANG);
        if (reaped == 0) {
          usleep(10000);  // A closed stdout comes just before the exit.
        }
      }
      if (reaped == child->pid_) {
        child->pid_ = -1;
        how = WIFSIGNALED(status)
                  ? absl::StrCat("killed by signal ", WTERMSIG(status))
                  : absl::StrCat("exit code ", WEXITSTATUS(status));
      }
      return absl::InternalError(
          absl::StrCat(argv[0], ": exited before listening (", how, ")"));
    }
    if (c != '\n') {
      line.push_back(c);
      continue;
    }
    if (absl::StartsWith(line, kListening)) {
      child->address_ = line.substr(kListening.size());
      const size_t colon = child->address_.rfind(':');
      if (colon == std::string::npos ||
          !absl::SimpleAtoi(child->address_.substr(colon + 1), &child->port_)) {
        return absl::InternalError(absl::StrCat("bad line: ", line));
      }
      return child;
    }
    child->lines_before_.push_back(std::move(line));
    line.clear();
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(stdout_fd_);
}

absl::Status ChildProcess::Stop(int signal, absl::Duration timeout) {
  if (pid_ <= 0) {
    return absl::OkStatus();
  }
  kill(pid_, signal);
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      exited_cleanly_ = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      return absl::OkStatus();
    }
    // Polling waitpid: there is no portable way to wait on a child with a
    // timeout short of a signal handler.
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return absl::DeadlineExceededError("child did not exit in time");
}

}  // namespace vouchstream::testing

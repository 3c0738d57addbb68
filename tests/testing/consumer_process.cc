#include "tests/testing/consumer_process.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include <sys/wait.h>

namespace vouchstream::testing {

ConsumerProcess::ConsumerProcess(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) {
    std::abort();  // No pipe: nothing below can run.
  }
  pid_ = fork();
  if (pid_ < 0) {
    std::abort();
  }
  if (pid_ == 0) {
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
  fd_ = out[0];
}

ConsumerProcess::~ConsumerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(fd_);
}

bool ConsumerProcess::TakeLine(std::vector<uint64_t>* seqs) {
  const size_t newline = buffer_.find('\n');
  if (newline == std::string::npos) {
    return false;
  }
  const std::string line = buffer_.substr(0, newline);
  buffer_.erase(0, newline + 1);
  // {"seq": 7, "id": ...}
  constexpr char kKey[] = "\"seq\": ";
  const size_t at = line.find(kKey);
  uint64_t seq = 0;
  if (at != std::string::npos) {
    const size_t from = at + sizeof(kKey) - 1;
    const size_t comma = std::min(line.find(',', from), line.size());
    if (!absl::SimpleAtoi(line.substr(from, comma - from), &seq)) {
      seq = 0;
    }
  }
  seqs->push_back(seq);
  return true;
}

bool ConsumerProcess::Fill(absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) {
    return true;
  }
  pollfd pfd{fd_, POLLIN, 0};
  const int wait_ms = static_cast<int>(
      std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 100));
  if (poll(&pfd, 1, wait_ms) <= 0) {
    return true;
  }
  char chunk[4096];
  const ssize_t n = read(fd_, chunk, sizeof(chunk));
  if (n <= 0) {
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::vector<uint64_t> ConsumerProcess::ReadSeqs(size_t count,
                                                absl::Duration timeout) {
  std::vector<uint64_t> seqs;
  const absl::Time deadline = absl::Now() + timeout;
  while (seqs.size() < count && absl::Now() < deadline) {
    if (TakeLine(&seqs)) {
      continue;
    }
    if (!Fill(deadline)) {
      break;
    }
  }
  return seqs;
}

std::vector<uint64_t> ConsumerProcess::ReadAllSeqs(absl::Duration timeout) {
  std::vector<uint64_t> seqs;
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (TakeLine(&seqs)) {
      continue;
    }
    if (!Fill(deadline)) {
      break;
    }
  }
  return seqs;
}

int ConsumerProcess::Stop(int signal, absl::Duration timeout) {
  if (pid_ <= 0) {
    return -1;
  }
  kill(pid_, signal);
  const absl::Time deadline = absl::Now() + timeout;
  int wstatus = 0;
  while (absl::Now() < deadline) {
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    }
    // No fd to wait on for a child's exit without a pidfd.
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return -1;
}

}  // namespace vouchstream::testing

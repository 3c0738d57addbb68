#include "tests/ops/notify_socket.h"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include <sys/socket.h>
#include <sys/un.h>

namespace vouchstream::testing {

absl::StatusOr<std::unique_ptr<NotifySocket>> NotifySocket::Bind(
    const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    return absl::InternalError(absl::StrCat("path too long: ", path));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
      0) {
    const int error = errno;
    close(fd);
    return absl::InternalError(
        absl::StrCat("bind ", path, ": ", std::strerror(error)));
  }
  return std::unique_ptr<NotifySocket>(new NotifySocket(fd, path));
}

NotifySocket::~NotifySocket() {
  close(fd_);
  unlink(path_.c_str());
}

absl::StatusOr<std::vector<std::string>> NotifySocket::Receive(
    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    pollfd readable{fd_, POLLIN, 0};
    const int ready = poll(&readable, 1, static_cast<int>(left > 0 ? left : 0));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return absl::DeadlineExceededError("no notification");
    }
    std::array<char, 4096> buffer{};
    const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0) {
      return absl::InternalError(absl::StrCat("recv: ", std::strerror(errno)));
    }
    return std::vector<std::string>(
        absl::StrSplit(absl::string_view(buffer.data(), static_cast<size_t>(n)),
                       '\n', absl::SkipEmpty()));
  }
}

absl::StatusOr<std::vector<std::string>> NotifySocket::WaitFor(
    absl::string_view line, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<std::string> seen;
  while (true) {
    absl::StatusOr<std::vector<std::string>> lines =
        Receive(deadline - absl::Now());
    if (!lines.ok()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no \"", line, "\" within ", absl::FormatDuration(timeout),
          "; received: [", absl::StrJoin(seen, ", "), "]"));
    }
    bool found = false;
    for (std::string& received : *lines) {
      found = found || received == line;
      seen.push_back(std::move(received));
    }
    if (found) {
      return seen;
    }
  }
}

}  // namespace vouchstream::testing

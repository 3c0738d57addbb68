#include "tests/gateway_e2e/raw_connection.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include <arpa/inet.h>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <netinet/in.h>
#include <sys/socket.h>

namespace vouchstream::testing {
namespace {

namespace http = boost::beast::http;

// Waits for `events` on `fd` until `deadline`; false on timeout.
bool PollUntil(int fd, short events, absl::Time deadline) {
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return false;
    }
    pollfd entry{fd, events, 0};
    const int ready =
        poll(&entry, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready > 0) {
      return true;
    }
    if (ready < 0 && errno != EINTR) {
      return true;  // Let the caller's read or write report the error.
    }
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<RawConnection>> RawConnection::Connect(
    int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) != 0) {
    const int error = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("connect: ", std::strerror(error)));
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return std::unique_ptr<RawConnection>(new RawConnection(fd));
}

RawConnection::~RawConnection() { close(fd_); }

absl::Status RawConnection::Write(absl::string_view bytes,
                                  absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!bytes.empty()) {
    const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<size_t>(sent));
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!PollUntil(fd_, POLLOUT, deadline)) {
        return absl::DeadlineExceededError(absl::StrCat(
            "write: the peer read nothing for ", absl::FormatDuration(timeout),
            "; ", bytes.size(), " bytes left"));
      }
      continue;
    }
    return absl::UnavailableError(
        absl::StrCat("write: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

bool RawConnection::ReadSome(absl::Time deadline, bool* timed_out) {
  if (closed_) {
    return false;
  }
  std::array<char, 65536> chunk;
  for (;;) {
    const ssize_t got = recv(fd_, chunk.data(), chunk.size(), 0);
    if (got > 0) {
      unread_.append(chunk.data(), static_cast<size_t>(got));
      return true;
    }
    if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
      closed_ = true;  // EOF, or reset by the peer.
      return false;
    }
    if (!PollUntil(fd_, POLLIN, deadline)) {
      *timed_out = true;
      return false;
    }
  }
}

absl::StatusOr<std::vector<HttpResponse>> RawConnection::ReadResponses(
    int count, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<HttpResponse> responses;
  bool timed_out = false;
  while (static_cast<int>(responses.size()) < count) {
    if (!unread_.empty()) {
      http::response_parser<http::string_body> parser;
      parser.eager(true);
      boost::beast::error_code ec;
      size_t used = 0;
      while (!ec && !parser.is_done() && used < unread_.size()) {
        const size_t n = parser.put(
            boost::asio::buffer(unread_.data() + used, unread_.size() - used),
            ec);
        used += n;
        if (n == 0) {
          break;
        }
      }
      if (ec && ec != http::error::need_more) {
        return absl::InternalError(
            absl::StrCat("malformed response: ", ec.message(), ": ", unread_));
      }
      if (parser.is_done()) {
        const auto& message = parser.get();
        HttpResponse response;
        response.status = static_cast<int>(message.result_int());
        for (const auto& field : message) {
          response.headers[absl::AsciiStrToLower(
              std::string(field.name_string()))] = std::string(field.value());
        }
        response.body = message.body();
        responses.push_back(std::move(response));
        unread_.erase(0, used);
        continue;
      }
    }
    if (!ReadSome(deadline, &timed_out)) {
      break;
    }
  }
  return responses;
}

bool RawConnection::WaitClosed(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  bool timed_out = false;
  while (ReadSome(deadline, &timed_out)) {
  }
  return closed_;
}

}  // namespace vouchstream::testing

#pragma once
// The test's end of systemd's notification protocol: a unix datagram
// socket bound to a path, which a child gets as NOTIFY_SOCKET, and which
// collects what it sends with sd_notify ("READY=1", "RELOADING=1\n...",
// "STOPPING=1").
//
//   auto notify = NotifySocket::Bind(dir.File("notify"));
//   ASSERT_THAT(notify, IsOk());
//   ... start the binary with NOTIFY_SOCKET=(*notify)->path() ...
//   EXPECT_THAT((*notify)->WaitFor("READY=1", absl::Seconds(20)), IsOk());
//
// Thread-compatible.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace vouchstream::testing {

class NotifySocket {
 public:
  // Errors: kInternal naming the failed call.
  static absl::StatusOr<std::unique_ptr<NotifySocket>> Bind(
      const std::string& path);

  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }

  // The next datagram's lines ("READY=1", "STATUS=..."), in order;
  // kDeadlineExceeded when none arrives within `timeout`.
  absl::StatusOr<std::vector<std::string>> Receive(absl::Duration timeout);

  // Receives until a datagram holds the line `line`, and returns the lines
  // of every datagram received meanwhile (that one's included), in order.
  // kDeadlineExceeded (naming what did arrive) after `timeout`.
  absl::StatusOr<std::vector<std::string>> WaitFor(absl::string_view line,
                                                   absl::Duration timeout);

 private:
  NotifySocket(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_;
  std::string path_;
};

}  // namespace vouchstream::testing

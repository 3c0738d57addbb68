#pragma once
// A client socket that writes arbitrary bytes and reads back whatever the
// gateway answers, for the abuse tests: nothing is framed for the caller,
// every wait has a deadline, and a peer that closes or resets the
// connection is an outcome to assert on, not an error.
//
//   auto connection = RawConnection::Connect(port);
//   ASSERT_THAT(connection, IsOk());
//   (*connection)->Write("GET /healthz HTTP/1.1\r\n\r\n", absl::Seconds(5));
//   auto responses = (*connection)->ReadResponses(1, absl::Seconds(5));
//   EXPECT_TRUE((*connection)->WaitClosed(absl::Seconds(5)));
//
// Thread-compatible.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "tests/testing/http_client.h"

namespace vouchstream::testing {

class RawConnection {
 public:
  // Connects to 127.0.0.1:`port`.
  static absl::StatusOr<std::unique_ptr<RawConnection>> Connect(int port);

  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Writes all of `bytes`. kUnavailable when the peer closed or reset the
  // connection first (expected when the gateway refuses a large body),
  // kDeadlineExceeded when the peer stopped reading for `timeout`.
  absl::Status Write(absl::string_view bytes, absl::Duration timeout);

  // Reads until `count` complete responses have arrived, the peer closed,
  // or `timeout` passed; returns the responses that arrived (maybe fewer).
  // Malformed response bytes are kInternal.
  absl::StatusOr<std::vector<HttpResponse>> ReadResponses(
      int count, absl::Duration timeout);

  // Reads until the peer closes or resets the connection: true if it did
  // within `timeout`. Bytes that arrive meanwhile go to `unread()`.
  bool WaitClosed(absl::Duration timeout);

  // Received bytes not returned as a response.
  const std::string& unread() const { return unread_; }

 private:
  explicit RawConnection(int fd) : fd_(fd) {}

  // Appends what is readable within `deadline` to `unread_`; false once the
  // peer has closed (or on the deadline, with `*timed_out` set).
  bool ReadSome(absl::Time deadline, bool* timed_out);

  int fd_;
  bool closed_ = false;
  std::string unread_;
};

}  // namespace vouchstream::testing

#pragma once
// Parses the `--store` URL of the JetStream event log:
//
//   nats://HOST:PORT[,HOST:PORT...]?stream=NAME[&replicas=N]
//
// into the servers to connect to and the stream to use. Several HOST:PORT
// are seed servers of one cluster (the client learns the others from them
// and fails over between them). Query keys: `stream` (required; JetStream
// stream names allow letters, digits, `-` and `_`), `replicas` (1..5,
// default 1). Thread-safe (a pure function).
//
//   absl::StatusOr<JetStreamUrl> url =
//       ParseJetStreamUrl("nats://127.0.0.1:4222?stream=EVENTS&replicas=3");

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::store {

struct JetStreamUrl {
  // Each "nats://HOST:PORT", in the order given.
  std::vector<std::string> servers;
  std::string stream;
  int64_t replicas = 1;
};

// True when `store` starts with "nats://" (the JetStream log's URL scheme).
bool IsJetStreamUrl(absl::string_view store);

// Errors: kInvalidArgument naming what is wrong (no server, a server without
// a port, no or a bad stream name, unknown query key, replicas out of range).
absl::StatusOr<JetStreamUrl> ParseJetStreamUrl(absl::string_view url);

}  // namespace vouchstream::store

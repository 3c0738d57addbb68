#pragma once
// The gateway's configuration, filled from the command line by main.cc and
// immutable afterwards.
//
//   option                   default            flag
//   listen                   127.0.0.1:8080     --listen=HOST:PORT (port 0 =
//                                                 any free port)
//   upstream                 (required)         --upstream=HOST:PORT
//   secret_file              (required unless   --secret-file=FILE, one
//                             skipping)           secret per line
//   insecure_skip_signature  false              --insecure-skip-signature
//   max_body_bytes           1 MiB              --max-body-bytes=N
//   threads                  2                  --threads=N (HTTP I/O)
//   streams                  2                  --streams=N (PublishStream)
//   publish_deadline         5 s                --publish-deadline=5s; well
//                                                 under Voucherify's 10 s
//   idle_timeout             60 s               --idle-timeout=60s; wait
//                                                 for a request's first byte
//   read_timeout             10 s               --read-timeout=10s; from a
//                                                 request's first byte to its
//                                                 last (slowloris), then the
//                                                 connection is closed
//   instance                 hostname:pid       --instance=NAME

#include <cstddef>
#include <string>

#include "absl/time/time.h"

namespace vouchstream::gateway {

struct GatewayOptions {
  std::string listen = "127.0.0.1:8080";
  std::string upstream;
  std::string secret_file;
  bool insecure_skip_signature = false;
  size_t max_body_bytes = 1 << 20;
  int threads = 2;
  int streams = 2;
  absl::Duration publish_deadline = absl::Seconds(5);
  absl::Duration idle_timeout = absl::Seconds(60);
  absl::Duration read_timeout = absl::Seconds(10);
  std::string instance;
};

}  // namespace vouchstream::gateway

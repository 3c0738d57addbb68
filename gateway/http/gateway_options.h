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
//   header_timeout           10 s               --header-timeout=10s; from
//                                                 a request's first byte to
//                                                 the end of its headers
//   body_timeout             10 s               --body-timeout=10s; from the
//                                                 end of the headers to the
//                                                 end of the body (a missed
//                                                 deadline: 408, then close)
//   instance                 hostname:pid       --instance=NAME
//   tls_cert, tls_key        "" (plain HTTP)    --tls-cert=FILE --tls-key=FILE
//                                                 (PEM): serve HTTPS
//   allow_from               "" (everyone)      --allow-from=CIDR[,CIDR...]
//                                                 (403 for other sources on
//                                                 non-operational routes)
//   rate_limit               0 (off)            --rate-limit=N requests/s per
//                                                 source IP (429 beyond)
//   rate_burst               10                 --rate-burst=M
//   rate_limit_sources       10000              --rate-limit-sources=N
//                                                 (tracked sources, bounded)
//   max_connections          0 (no limit)       --max-connections=N (503 +
//                                                 close beyond)
//   require_envelope         false              --require-envelope (400 for
//                                                 bare bodies on
//                                                 /webhooks/voucherify/{type})

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
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration body_timeout = absl::Seconds(10);
  std::string instance;
  std::string tls_cert;
  std::string tls_key;
  std::string allow_from;
  double rate_limit = 0;
  int rate_burst = 10;
  size_t rate_limit_sources = 10000;
  int max_connections = 0;
  bool require_envelope = false;
};

}  // namespace vouchstream::gateway

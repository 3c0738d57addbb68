#pragma once
// What vouchstream-server runs with, read from its command-line flags and
// checked before anything is opened:
//
//   absl::ParseCommandLine(argc, argv);
//   absl::StatusOr<ServerConfig> config = ServerConfig::FromFlags();
//   if (!config.ok()) ...  // kInvalidArgument naming the flag
//
// The flags themselves are defined in server_config.cc (so `--help` lists
// them as the server's own).

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "service/rpc/reloadable_server_tls.h"
#include "service/store/jetstream_event_log.h"
#include "service/store/sqlite_event_log.h"

namespace vouchstream::server {

struct ServerConfig {
  // --listen: HOST:PORT to serve gRPC on; port 0 picks one.
  std::string listen = "127.0.0.1:50051";
  // --store, parsed: exactly one of the two is set (their `telemetry` is
  // left for the server to fill).
  std::optional<store::SqliteEventLog::Options> sqlite;
  std::optional<store::JetStreamEventLog::Options> jetstream;
  // --reference: reference data for enrichment; empty: none.
  std::string reference_file;
  // --access: the access file; empty: no access control.
  std::string access_file;
  // --tls-cert, --tls-key, --client-ca; --allow-loose-files.
  rpc::ServerTlsOptions tls;
  // --allow-loose-files: start even when --tls-key or --access is readable
  // by group or others.
  bool allow_loose_files = false;
  // --metrics-listen: HOST:PORT of the Prometheus endpoint; empty: none.
  std::string metrics_listen;
  // --drain-timeout: how long in-flight calls may take after a stop signal.
  absl::Duration drain_timeout = absl::Seconds(10);
  int max_message_bytes = 16 << 20;
  int workers = 4;         // --workers
  int broker_readers = 2;  // --broker-readers
  // --hash-token: print the hash of the token on stdin and exit.
  bool hash_token = false;

  // The flags as parsed by absl::ParseCommandLine. Errors: kInvalidArgument
  // naming the flag (--store neither sqlite: nor nats://, a bad nats URL,
  // --synchronous neither full nor normal, a count below 1).
  static absl::StatusOr<ServerConfig> FromFlags();
};

}  // namespace vouchstream::server

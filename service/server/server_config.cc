#include "service/server/server_config.h"

#include <cstdint>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "service/core/event_log.h"
#include "service/store/jetstream_url.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "HOST:PORT to serve gRPC on; port 0 picks a free port");
ABSL_FLAG(std::string, store, "sqlite:vouchstream.db",
          "The event log: sqlite:PATH, or "
          "nats://HOST:PORT[,HOST:PORT...]?stream=NAME[&replicas=N] for NATS "
          "JetStream");
ABSL_FLAG(absl::Duration, duplicate_window, absl::Minutes(10),
          "nats:// store: JetStream's Nats-Msg-Id dedup window (older "
          "retries are caught by the id keys)");
ABSL_FLAG(absl::Duration, content_hash_window,
          vouchstream::core::kDefaultContentHashWindow,
          "How long an event whose id is the hash of its body (a bare body "
          "that names no id) deduplicates a later one with the same type and "
          "body; the default covers Voucherify's 12 retries (58 h). Later, "
          "the same body is a new event (see SECURITY.md)");
ABSL_FLAG(std::string, reference, "",
          "Reference data JSON file for enrichment (reloaded on SIGHUP)");
ABSL_FLAG(std::string, synchronous, "full",
          "full: every acknowledged event survives power loss; normal: "
          "survives a process crash, a power loss may lose the last commits");
ABSL_FLAG(absl::Duration, retention_max_age, absl::InfiniteDuration(),
          "Delete events received longer ago than this (e.g. 720h)");
ABSL_FLAG(uint64_t, retention_max_count, 0,
          "Keep at most this many events (0: no limit)");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long in-flight calls may take to finish");
ABSL_FLAG(int32_t, max_message_bytes, 16 << 20,
          "Largest gRPC message received or sent");
ABSL_FLAG(int32_t, workers, 4, "Threads for log reads and quarantine writes");
ABSL_FLAG(int32_t, broker_readers, 2, "Threads for subscription catch-up");
ABSL_FLAG(std::string, access, "",
          "Access file (JSON): bearer token hashes and mTLS identities to "
          "principals with scopes; reloaded on SIGHUP. Empty: no access "
          "control");
ABSL_FLAG(bool, hash_token, false,
          "Print the sha256 (hex) of the token read from stdin, for the "
          "access file, and exit");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain: serve TLS (with --tls-key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert");
ABSL_FLAG(std::string, client_ca, "",
          "PEM CA: mTLS, refuse clients without a certificate it signed");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on (GET /metrics, plain "
          "HTTP; port 0 picks a free port); empty: no metrics endpoint");
ABSL_FLAG(bool, allow_loose_files, false,
          "Start even when --tls-key or --access is readable by group or "
          "others (by default such a file stops the start)");

namespace vouchstream::server {
namespace {

constexpr absl::string_view kSqliteScheme = "sqlite:";

absl::StatusOr<store::SqliteEventLog::Options> SqliteFromFlags(
    absl::string_view path) {
  store::SqliteEventLog::Options options;
  options.path = std::string{path};
  const std::string synchronous = absl::GetFlag(FLAGS_synchronous);
  if (synchronous == "normal") {
    options.synchronous = store::SqliteEventLog::Synchronous::kNormal;
  } else if (synchronous != "full") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--synchronous: \"", synchronous, "\" is not full or normal"));
  }
  options.max_age = absl::GetFlag(FLAGS_retention_max_age);
  options.max_count = absl::GetFlag(FLAGS_retention_max_count);
  options.content_hash_window = absl::GetFlag(FLAGS_content_hash_window);
  return options;
}

absl::StatusOr<store::JetStreamEventLog::Options> JetStreamFromFlags(
    absl::string_view url) {
  absl::StatusOr<store::JetStreamUrl> parsed = store::ParseJetStreamUrl(url);
  if (!parsed.ok()) {
    return parsed.status();
  }
  store::JetStreamEventLog::Options options;
  options.servers = parsed->servers;
  options.stream = parsed->stream;
  options.replicas = parsed->replicas;
  options.max_age = absl::GetFlag(FLAGS_retention_max_age);
  options.max_count = absl::GetFlag(FLAGS_retention_max_count);
  options.duplicate_window = absl::GetFlag(FLAGS_duplicate_window);
  options.content_hash_window = absl::GetFlag(FLAGS_content_hash_window);
  return options;
}

// --store: sqlite:PATH or nats://...
absl::Status StoreFromFlags(ServerConfig& config) {
  const std::string store = absl::GetFlag(FLAGS_store);
  if (absl::StartsWith(store, kSqliteScheme)) {
    absl::StatusOr<store::SqliteEventLog::Options> sqlite =
        SqliteFromFlags(absl::string_view(store).substr(kSqliteScheme.size()));
    if (!sqlite.ok()) {
      return sqlite.status();
    }
    config.sqlite = *std::move(sqlite);
    return absl::OkStatus();
  }
  if (store::IsJetStreamUrl(store)) {
    absl::StatusOr<store::JetStreamEventLog::Options> jetstream =
        JetStreamFromFlags(store);
    if (!jetstream.ok()) {
      return jetstream.status();
    }
    config.jetstream = *std::move(jetstream);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--store: \"", store,
      "\" is neither sqlite:PATH nor nats://HOST:PORT?stream=NAME"));
}

absl::Status CheckCounts(const ServerConfig& config) {
  if (config.workers < 1 || config.broker_readers < 1) {
    return absl::InvalidArgumentError(
        "--workers and --broker-readers must be at least 1");
  }
  if (config.max_message_bytes < 1) {
    return absl::InvalidArgumentError("--max-message-bytes must be positive");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerConfig> ServerConfig::FromFlags() {
  ServerConfig config;
  config.hash_token = absl::GetFlag(FLAGS_hash_token);
  config.listen = absl::GetFlag(FLAGS_listen);
  config.reference_file = absl::GetFlag(FLAGS_reference);
  config.access_file = absl::GetFlag(FLAGS_access);
  config.allow_loose_files = absl::GetFlag(FLAGS_allow_loose_files);
  config.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                absl::GetFlag(FLAGS_client_ca), config.allow_loose_files};
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  config.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  config.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  config.workers = absl::GetFlag(FLAGS_workers);
  config.broker_readers = absl::GetFlag(FLAGS_broker_readers);
  if (config.hash_token) {
    return config;
  }
  absl::Status checked = StoreFromFlags(config);
  if (checked.ok()) {
    checked = CheckCounts(config);
  }
  if (!checked.ok()) {
    return checked;
  }
  return config;
}

}  // namespace vouchstream::server

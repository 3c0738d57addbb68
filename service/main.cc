// vouchstream-server: the gRPC service over the event log. Flags and wiring
// only; the parts live in service/core, service/store and service/rpc.
//
//   vouchstream-server --listen=127.0.0.1:50051 --store=sqlite:events.db
//       [--reference=reference.json] [--synchronous=full|normal]
//       [--retention_max_age=720h] [--retention_max_count=N]
//       [--content_hash_window=60h]
//   vouchstream-server
//   --store='nats://127.0.0.1:4222,127.0.0.1:4223?stream=VS&replicas=3'
//       [--duplicate_window=10m] (retention flags as above)
//   TLS: --tls-cert=PEM --tls-key=PEM [--client-ca=PEM] (mTLS); without
//   them plaintext, with a warning unless --listen is loopback.
//   Access control: --access=access.json (bearer tokens / mTLS identities
//   to principals with scopes; reloaded on SIGHUP); without it every caller
//   may do anything. `vouchstream-server --hash-token < token.txt` prints
//   the sha256 to list in the file.
//
// With --metrics-listen=HOST:PORT it serves Prometheus metrics (GET /metrics)
// and prints "metrics on HOST:PORT" first.
//
// Prints "listening on HOST:PORT" on stdout once it serves (with port 0 the
// kernel picks one). SIGTERM/SIGINT drain and stop; SIGHUP reloads the
// reference file, the access file and the TLS files. Under systemd
// (Type=notify) it reports READY, RELOADING and STOPPING. Log lines are
// JSON on stderr.

#include <pthread.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"

#include "common/metrics_registry.h"
#include "common/metrics_server.h"
#include "common/private_file.h"
#include "common/systemd_notify.h"
#include "common/usage.h"
#include "service/auth/authorizer.h"
#include "service/auth/token_hash.h"
#include "service/core/broker.h"
#include "service/core/enricher.h"
#include "service/core/event_log.h"
#include "service/core/reference_data.h"
#include "service/core/validator.h"
#include "service/metrics/service_metrics.h"
#include "service/rpc/drop_plugin_option.h"
#include "service/rpc/event_service.h"
#include "service/rpc/json_log.h"
#include "service/rpc/publisher.h"
#include "service/rpc/reflection_v1_service.h"
#include "service/rpc/server_credentials.h"
#include "service/rpc/worker_pool.h"
#include "service/store/jetstream_event_log.h"
#include "service/store/jetstream_url.h"
#include "service/store/sqlite_event_log.h"

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

namespace {

using vouchstream::rpc::LogError;
using vouchstream::rpc::LogInfo;

constexpr absl::string_view kServiceName = "vouchstream.v1.EventService";

// Waits for signals on its own thread (they are blocked everywhere else), so
// that no work happens in a signal handler. Owned and joined by main.
class SignalThread {
 public:
  SignalThread(vouchstream::core::ReferenceStore* reference,
               vouchstream::auth::Authorizer* authorizer,
               vouchstream::rpc::ReloadableServerTls* tls)
      : reference_(reference),
        authorizer_(authorizer),
        tls_(tls),
        thread_([this] { Loop(); }) {}
  ~SignalThread() { thread_.join(); }

  void WaitForStop() { stop_.WaitForNotification(); }

  // Blocks the signals this thread handles, in the calling thread and every
  // thread it starts afterwards.
  static void BlockSignals() {
    sigset_t set = Set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

 private:
  static sigset_t Set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
  }

  void Loop() {
    const sigset_t set = Set();
    while (true) {
      int signal = 0;
      if (sigwait(&set, &signal) != 0) {
        continue;
      }
      if (signal == SIGHUP) {
        vouchstream::common::NotifyReloading();
        const absl::Status status = reference_->Reload();
        if (status.ok()) {
          LogInfo("reference data reloaded");
        } else {
          LogError("reference data reload failed; keeping the old data",
                   {{"status", status}});
        }
        ReloadAccess();
        ReloadTls();
        vouchstream::common::NotifyReady();
        continue;
      }
      LogInfo("stop signal received",
              {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
      vouchstream::common::NotifyStopping();
      stop_.Notify();
      return;
    }
  }

  void ReloadAccess() {
    if (!authorizer_->enabled()) {
      return;
    }
    const absl::StatusOr<size_t> revoked = authorizer_->Reload();
    if (revoked.ok()) {
      LogInfo("access file reloaded", {{"streams_revoked", *revoked}});
    } else {
      LogError("access file reload failed; keeping the old one",
               {{"status", revoked.status()}});
    }
  }

  // Open connections keep their handshake; new ones get the new files.
  void ReloadTls() {
    if (tls_ == nullptr) {
      return;
    }
    const absl::Status status = tls_->Reload();
    if (status.ok()) {
      LogInfo("tls files reloaded");
    } else {
      LogError("tls files reload failed; keeping the old ones",
               {{"status", status}});
    }
  }

  vouchstream::core::ReferenceStore* const reference_;
  vouchstream::auth::Authorizer* const authorizer_;
  vouchstream::rpc::ReloadableServerTls* const tls_;
  absl::Notification stop_;
  std::thread thread_;
};

// --access: the authorizer of the access file, or one that lets every
// caller do anything.
absl::StatusOr<std::unique_ptr<vouchstream::auth::Authorizer>>
OpenAuthorizer() {
  const std::string path = absl::GetFlag(FLAGS_access);
  if (path.empty()) {
    return std::make_unique<vouchstream::auth::Authorizer>();
  }
  auto opened = vouchstream::auth::Authorizer::Open(path);
  if (opened.ok()) {
    LogInfo("access file loaded",
            {{"path", path},
             {"principals", (*opened)->policy()->principal_count()}});
  }
  return opened;
}

// --reference: the reference data for enrichment (empty without the flag).
absl::StatusOr<std::shared_ptr<vouchstream::core::ReferenceStore>>
OpenReference() {
  const std::string path = absl::GetFlag(FLAGS_reference);
  if (path.empty()) {
    return std::make_shared<vouchstream::core::ReferenceStore>();
  }
  return vouchstream::core::ReferenceStore::Open(path);
}

// --metrics-listen: serves `metrics` and prints "metrics on HOST:PORT";
// nullptr without the flag.
absl::StatusOr<std::unique_ptr<vouchstream::common::MetricsServer>>
ServeMetrics(std::shared_ptr<vouchstream::common::MetricsRegistry> metrics) {
  const std::string listen = absl::GetFlag(FLAGS_metrics_listen);
  if (listen.empty()) {
    return nullptr;
  }
  auto started =
      vouchstream::common::MetricsServer::Start(listen, std::move(metrics));
  if (started.ok()) {
    std::printf("metrics on %s\n", (*started)->address().c_str());
  }
  return started;
}

// --hash-token: stdin without its trailing newline, hashed as the server
// hashes a presented token.
int HashToken() {
  std::string token;
  for (int c = std::getchar(); c != EOF; c = std::getchar()) {
    token.push_back(static_cast<char>(c));
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.pop_back();
  }
  if (token.empty()) {
    std::fprintf(stderr, "--hash-token: no token on stdin\n");
    return 1;
  }
  std::printf("%s\n",
              vouchstream::auth::DigestHex(vouchstream::auth::HashToken(token))
                  .c_str());
  return 0;
}

int Fail(absl::string_view what, const absl::Status& status) {
  LogError(what, {{"status", status}});
  return 1;
}

absl::StatusOr<std::unique_ptr<vouchstream::core::EventLog>> OpenSqlite(
    absl::string_view path, vouchstream::core::Telemetry* telemetry) {
  using vouchstream::store::SqliteEventLog;
  SqliteEventLog::Options options;
  options.telemetry = telemetry;
  options.path.assign(path.data(), path.size());
  const std::string synchronous = absl::GetFlag(FLAGS_synchronous);
  if (synchronous == "normal") {
    options.synchronous = SqliteEventLog::Synchronous::kNormal;
  } else if (synchronous != "full") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--synchronous: \"", synchronous, "\" is not full or normal"));
  }
  options.max_age = absl::GetFlag(FLAGS_retention_max_age);
  options.max_count = absl::GetFlag(FLAGS_retention_max_count);
  options.content_hash_window = absl::GetFlag(FLAGS_content_hash_window);
  auto log = SqliteEventLog::Open(options);
  if (!log.ok()) {
    return log.status();
  }
  LogInfo("event log open", {{"path", options.path},
                             {"synchronous", synchronous},
                             {"last_seq", (*log)->LastSeq()}});
  return std::unique_ptr<vouchstream::core::EventLog>(*std::move(log));
}

absl::StatusOr<std::unique_ptr<vouchstream::core::EventLog>> OpenJetStream(
    absl::string_view url, vouchstream::core::Telemetry* telemetry) {
  using vouchstream::store::JetStreamEventLog;
  absl::StatusOr<vouchstream::store::JetStreamUrl> parsed =
      vouchstream::store::ParseJetStreamUrl(url);
  if (!parsed.ok()) {
    return parsed.status();
  }
  JetStreamEventLog::Options options;
  options.telemetry = telemetry;
  options.servers = parsed->servers;
  options.stream = parsed->stream;
  options.replicas = parsed->replicas;
  options.max_age = absl::GetFlag(FLAGS_retention_max_age);
  options.max_count = absl::GetFlag(FLAGS_retention_max_count);
  options.duplicate_window = absl::GetFlag(FLAGS_duplicate_window);
  options.content_hash_window = absl::GetFlag(FLAGS_content_hash_window);
  auto log = JetStreamEventLog::Open(options);
  if (!log.ok()) {
    return log.status();
  }
  LogInfo("event log open", {{"stream", options.stream},
                             {"replicas", options.replicas},
                             {"last_seq", (*log)->LastSeq()}});
  return std::unique_ptr<vouchstream::core::EventLog>(*std::move(log));
}

// --store: sqlite:PATH or nats://...
absl::StatusOr<std::unique_ptr<vouchstream::core::EventLog>> OpenLog(
    absl::string_view store, vouchstream::core::Telemetry* telemetry) {
  if (absl::StartsWith(store, "sqlite:")) {
    return OpenSqlite(store.substr(std::string("sqlite:").size()), telemetry);
  }
  if (vouchstream::store::IsJetStreamUrl(store)) {
    return OpenJetStream(store, telemetry);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--store: \"", store,
      "\" is neither sqlite:PATH nor nats://HOST:PORT?stream=NAME"));
}

// --tls-key and --access must not be readable by group or others, unless
// --allow-loose-files.
absl::Status CheckPrivateFiles() {
  if (absl::GetFlag(FLAGS_allow_loose_files)) {
    return absl::OkStatus();
  }
  for (const auto& [flag, path] :
       {std::pair<absl::string_view, std::string>{"--tls-key",
                                                  absl::GetFlag(FLAGS_tls_key)},
        {"--access", absl::GetFlag(FLAGS_access)}}) {
    absl::Status private_file =
        vouchstream::common::CheckPrivateFile(flag, path);
    if (!private_file.ok()) {
      return private_file;
    }
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the mask.
  SignalThread::BlockSignals();
  vouchstream::common::SetUsage(
      "vouchstream-server", "service/",
      "The vouchstream gRPC service: validates, enriches, stores and streams "
      "Voucherify events.\n\n"
      "  vouchstream-server --listen=127.0.0.1:50051 --store=sqlite:events.db "
      "[--access=FILE] [--tls-cert=FILE --tls-key=FILE]");
  vouchstream::common::NormalizeFlagNames(argc, argv);
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_hash_token)) {
    return HashToken();
  }
  absl::Status private_files = CheckPrivateFiles();
  if (!private_files.ok()) {
    return Fail("refusing a file others may read", private_files);
  }
  absl::StatusOr<vouchstream::rpc::ServerSecurity> security =
      vouchstream::rpc::LoadServerSecurity(
          {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
           absl::GetFlag(FLAGS_client_ca),
           absl::GetFlag(FLAGS_allow_loose_files)});
  if (!security.ok()) {
    return Fail("cannot load the TLS credentials", security.status());
  }

  using vouchstream::core::Broker;

  absl::StatusOr<std::unique_ptr<vouchstream::auth::Authorizer>> opened =
      OpenAuthorizer();
  if (!opened.ok()) {
    return Fail("cannot load the access file", opened.status());
  }
  const std::unique_ptr<vouchstream::auth::Authorizer> authorizer =
      *std::move(opened);
  // Health and reflection are served without credentials unless the access
  // file leaves them out of `open_services`; then they are not served at
  // all (read at start; a reload does not change it).
  const auto is_open = [&authorizer](absl::string_view name) {
    return !authorizer->enabled() || authorizer->policy()->IsOpen(name);
  };

  absl::StatusOr<std::shared_ptr<vouchstream::core::ReferenceStore>> reference =
      OpenReference();
  if (!reference.ok()) {
    return Fail("cannot read the reference file", reference.status());
  }

  const auto metrics =
      std::make_shared<vouchstream::common::MetricsRegistry>("server");
  vouchstream::metrics::ServiceMetrics service_metrics(metrics.get());
  absl::StatusOr<std::unique_ptr<vouchstream::core::EventLog>> log =
      OpenLog(absl::GetFlag(FLAGS_store), &service_metrics);
  if (!log.ok()) {
    return Fail("cannot open the event log", log.status());
  }

  Broker::Options broker_options;
  broker_options.reader_threads = absl::GetFlag(FLAGS_broker_readers);
  Broker broker(log->get(), broker_options);
  broker.Start();
  vouchstream::rpc::WorkerPool pool(absl::GetFlag(FLAGS_workers));
  const vouchstream::core::Validator validator;
  const vouchstream::core::Enricher enricher(*reference);
  vouchstream::rpc::Publisher publisher(log->get(), &validator, &enricher,
                                        &pool, &service_metrics);
  service_metrics.ReadAtScrape(log->get(), &broker);
  vouchstream::rpc::EventService::Options service_options;
  // Without an access file the service skips authentication altogether.
  service_options.authorizer =
      authorizer->enabled() ? authorizer.get() : nullptr;
  service_options.telemetry = &service_metrics;
  vouchstream::rpc::EventService service(log->get(), &broker, &publisher, &pool,
                                         service_options);

  grpc::EnableDefaultHealthCheckService(is_open("grpc.health.v1.Health"));
  // Reflection in both versions: gRPC's plugin serves v1alpha, ours v1.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  vouchstream::rpc::ReflectionV1Service reflection_v1(
      {std::string{kServiceName}, "grpc.health.v1.Health",
       "grpc.reflection.v1.ServerReflection",
       "grpc.reflection.v1alpha.ServerReflection"});
  // The health service is gRPC's built-in one, which brings no descriptors;
  // touching our generated health.pb links it in and registers
  // grpc/health/v1/health.proto, so reflection can describe the service.
  static_cast<void>(grpc::health::v1::HealthCheckRequest::descriptor());
  grpc::ServerBuilder builder;
  if (!is_open("grpc.reflection.v1alpha.ServerReflection")) {
    builder.SetOption(std::make_unique<vouchstream::rpc::DropPluginOption>(
        vouchstream::rpc::kReflectionPluginName));
  }
  const std::string listen = absl::GetFlag(FLAGS_listen);
  int port = 0;
  builder.AddListeningPort(listen, security->credentials, &port);
  if (security->mode == "off" &&
      !vouchstream::rpc::IsLoopbackListenAddress(listen)) {
    vouchstream::rpc::LogWarning(
        "plaintext gRPC on a non-loopback address: anyone on the network "
        "can read and inject events; give --tls-cert and --tls-key",
        {{"listen", listen}});
  }
  if (!authorizer->enabled() &&
      !vouchstream::rpc::IsLoopbackListenAddress(listen)) {
    vouchstream::rpc::LogWarning(
        "no access file on a non-loopback address: any caller may publish, "
        "read and reprocess events; give --access",
        {{"listen", listen}});
  }
  builder.RegisterService(&service);
  if (is_open("grpc.reflection.v1.ServerReflection")) {
    builder.RegisterService(&reflection_v1);
  }
  const int max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  builder.SetMaxReceiveMessageSize(max_message_bytes);
  builder.SetMaxSendMessageSize(max_message_bytes);
  // Long-lived Subscribe streams: ping idle connections so that dead peers
  // and silently dropped NAT/proxy mappings are noticed, and let clients
  // ping as often as every 10 s without being told to go away.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    broker.Shutdown();
    (*log)->Shutdown();
    return Fail("cannot listen",
                absl::UnavailableError(absl::StrCat("--listen=", listen)));
  }
  // nullptr when the access file closes health.
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health != nullptr) {
    health->SetServingStatus(std::string{kServiceName}, true);
    health->SetServingStatus(true);
  }

  // Before "listening on", which tells a supervisor the server is up.
  absl::StatusOr<std::unique_ptr<vouchstream::common::MetricsServer>>
      metrics_server = ServeMetrics(metrics);
  if (!metrics_server.ok()) {
    server->Shutdown();
    broker.Shutdown();
    (*log)->Shutdown();
    return Fail("cannot serve metrics", metrics_server.status());
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  std::printf("listening on %s:%d\n", host.c_str(), port);
  std::fflush(stdout);
  LogInfo("serving",
          {{"listen", listen}, {"port", port}, {"tls", security->mode}});
  vouchstream::common::NotifyReady();

  {
    SignalThread signals(reference->get(), authorizer.get(),
                         security->tls.get());
    signals.WaitForStop();
  }

  // Drain: tell load balancers first, end the streams (clients resume from
  // their last seq elsewhere or after restart), let in-flight calls finish,
  // then close the log.
  LogInfo(
      "draining",
      {{"timeout", absl::FormatDuration(absl::GetFlag(FLAGS_drain_timeout))}});
  if (health != nullptr) {
    health->SetServingStatus(std::string{kServiceName}, false);
    health->SetServingStatus(false);
  }
  broker.Shutdown();
  service.Drain();
  LogInfo("streams closed");
  server->Shutdown(std::chrono::system_clock::now() +
                   absl::ToChronoSeconds(absl::GetFlag(FLAGS_drain_timeout)));
  server->Wait();
  LogInfo("calls finished");
  pool.Shutdown();
  (*log)->Shutdown();
  LogInfo("stopped", {{"last_seq", (*log)->LastSeq()}});
  return 0;
}

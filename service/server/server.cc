#include "service/server/server.h"

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "common/json_log.h"
#include "common/metrics_registry.h"
#include "common/metrics_server.h"
#include "common/private_file.h"
#include "common/stop_signals.h"
#include "common/systemd_notify.h"
#include "service/app/admission.h"
#include "service/app/cursors.h"
#include "service/app/publisher.h"
#include "service/app/reads.h"
#include "service/app/subscriptions.h"
#include "service/app/worker_pool.h"
#include "service/auth/authorizer.h"
#include "service/core/broker.h"
#include "service/core/enricher.h"
#include "service/core/event_log.h"
#include "service/core/reference_data.h"
#include "service/core/validator.h"
#include "service/metrics/service_metrics.h"
#include "service/rpc/event_service.h"
#include "service/rpc/grpc_server.h"
#include "service/rpc/server_credentials.h"
#include "service/store/jetstream_event_log.h"
#include "service/store/sqlite_event_log.h"

namespace vouchstream::server {
namespace {

using common::LogError;
using common::LogInfo;
using common::LogWarning;

// `status` with `what` in front of its message, same code.
absl::Status Annotate(absl::string_view what, const absl::Status& status) {
  return {status.code(), absl::StrCat(what, ": ", status.message())};
}

// --tls-key and --access must not be readable by group or others, unless
// --allow-loose-files.
absl::Status CheckPrivateFiles(const ServerConfig& config) {
  if (config.allow_loose_files) {
    return absl::OkStatus();
  }
  absl::Status status = common::CheckPrivateFile("--tls-key", config.tls.key);
  if (status.ok()) {
    status = common::CheckPrivateFile("--access", config.access_file);
  }
  return status;
}

// --access: the authorizer of the access file, or one that lets every
// caller do anything.
absl::StatusOr<std::unique_ptr<auth::Authorizer>> OpenAuthorizer(
    const std::string& path) {
  if (path.empty()) {
    return std::make_unique<auth::Authorizer>();
  }
  auto opened = auth::Authorizer::Open(path);
  if (opened.ok()) {
    LogInfo("access file loaded",
            {{"path", path},
             {"principals", (*opened)->policy()->principal_count()}});
  }
  return opened;
}

// --reference: the reference data for enrichment (empty without the flag).
absl::StatusOr<std::shared_ptr<core::ReferenceStore>> OpenReference(
    const std::string& path) {
  if (path.empty()) {
    return std::make_shared<core::ReferenceStore>();
  }
  return core::ReferenceStore::Open(path);
}

// --store: the SQLite or the JetStream log, telling `telemetry`.
absl::StatusOr<std::unique_ptr<core::EventLog>> OpenLog(
    const ServerConfig& config, core::Telemetry* telemetry) {
  if (config.sqlite.has_value()) {
    store::SqliteEventLog::Options options = *config.sqlite;
    options.telemetry = telemetry;
    auto log = store::SqliteEventLog::Open(options);
    if (!log.ok()) {
      return log.status();
    }
    LogInfo("event log open",
            {{"path", options.path},
             {"synchronous",
              options.synchronous == store::SqliteEventLog::Synchronous::kFull
                  ? "full"
                  : "normal"},
             {"last_seq", (*log)->LastSeq()}});
    return std::unique_ptr<core::EventLog>(*std::move(log));
  }
  store::JetStreamEventLog::Options options = *config.jetstream;
  options.telemetry = telemetry;
  auto log = store::JetStreamEventLog::Open(options);
  if (!log.ok()) {
    return log.status();
  }
  LogInfo("event log open", {{"stream", options.stream},
                             {"replicas", options.replicas},
                             {"last_seq", (*log)->LastSeq()}});
  return std::unique_ptr<core::EventLog>(*std::move(log));
}

}  // namespace

// Declared in the order they are built; destroyed in reverse, so the gRPC
// server stops before the service, the broker and the log it calls.
struct Server::Parts {
  rpc::ServerSecurity security;
  std::unique_ptr<auth::Authorizer> authorizer;
  std::shared_ptr<core::ReferenceStore> reference;
  std::shared_ptr<common::MetricsRegistry> metrics =
      std::make_shared<common::MetricsRegistry>("server");
  metrics::ServiceMetrics service_metrics{metrics.get()};
  std::unique_ptr<core::EventLog> log;
  std::unique_ptr<core::Broker> broker;
  std::unique_ptr<app::WorkerPool> pool;
  core::Validator validator;
  std::unique_ptr<core::Enricher> enricher;
  std::unique_ptr<app::Publisher> publisher;
  std::unique_ptr<app::Admission> admission;
  std::unique_ptr<app::Reads> reads;
  std::unique_ptr<app::Cursors> cursors;
  std::unique_ptr<app::Subscriptions> subscriptions;
  std::unique_ptr<rpc::EventService> service;
  std::unique_ptr<rpc::GrpcServer> grpc_server;
  std::unique_ptr<common::MetricsServer> metrics_server;

  // Health and reflection are served without credentials unless the access
  // file leaves them out of `open_services`; then they are not served at all
  // (read at start; a reload does not change it).
  bool IsOpen(absl::string_view name) const {
    return !authorizer->enabled() || authorizer->policy()->IsOpen(name);
  }
};

Server::Server(ServerConfig config)
    : config_(std::move(config)), parts_(std::make_unique<Parts>()) {}

Server::~Server() = default;

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerConfig config) {
  auto server = absl::WrapUnique(new Server(std::move(config)));
  absl::Status status = server->Open();
  if (status.ok()) {
    status = server->Listen();
  }
  if (!status.ok()) {
    return status;
  }
  return server;
}

absl::Status Server::Open() {
  Parts& parts = *parts_;
  absl::Status status = CheckPrivateFiles(config_);
  if (!status.ok()) {
    return Annotate("refusing a file others may read", status);
  }
  absl::StatusOr<rpc::ServerSecurity> security =
      rpc::LoadServerSecurity(config_.tls);
  if (!security.ok()) {
    return Annotate("cannot load the TLS credentials", security.status());
  }
  parts.security = *std::move(security);
  absl::StatusOr<std::unique_ptr<auth::Authorizer>> authorizer =
      OpenAuthorizer(config_.access_file);
  if (!authorizer.ok()) {
    return Annotate("cannot load the access file", authorizer.status());
  }
  parts.authorizer = *std::move(authorizer);
  absl::StatusOr<std::shared_ptr<core::ReferenceStore>> reference =
      OpenReference(config_.reference_file);
  if (!reference.ok()) {
    return Annotate("cannot read the reference file", reference.status());
  }
  parts.reference = *std::move(reference);
  absl::StatusOr<std::unique_ptr<core::EventLog>> log =
      OpenLog(config_, &parts.service_metrics);
  if (!log.ok()) {
    return Annotate("cannot open the event log", log.status());
  }
  parts.log = *std::move(log);

  core::Broker::Options broker_options;
  broker_options.reader_threads = config_.broker_readers;
  parts.broker =
      std::make_unique<core::Broker>(parts.log.get(), broker_options);
  parts.broker->Start();
  parts.pool = std::make_unique<app::WorkerPool>(config_.workers);
  parts.enricher = std::make_unique<core::Enricher>(parts.reference);
  parts.publisher = std::make_unique<app::Publisher>(
      parts.log.get(), &parts.validator, parts.enricher.get(), parts.pool.get(),
      &parts.service_metrics);
  parts.service_metrics.ReadAtScrape(parts.log.get(), parts.broker.get());
  // Without an access file the service skips authentication altogether.
  absl::StatusOr<app::Admission> admission =
      app::Admission::Create(parts.authorizer.get());
  if (!admission.ok()) {
    return Annotate("cannot read the contract's scopes", admission.status());
  }
  parts.admission = std::make_unique<app::Admission>(*std::move(admission));
  parts.reads =
      std::make_unique<app::Reads>(parts.log.get(), app::Reads::Options{});
  parts.cursors = std::make_unique<app::Cursors>(
      parts.log.get(), parts.admission->access_control(),
      &parts.service_metrics);
  parts.subscriptions =
      std::make_unique<app::Subscriptions>(parts.cursors.get());
  rpc::EventService::App app;
  app.admission = parts.admission.get();
  app.publisher = parts.publisher.get();
  app.reads = parts.reads.get();
  app.cursors = parts.cursors.get();
  app.subscriptions = parts.subscriptions.get();
  app.broker = parts.broker.get();
  app.pool = parts.pool.get();
  parts.service =
      std::make_unique<rpc::EventService>(app, rpc::EventService::Options{});
  return absl::OkStatus();
}

absl::Status Server::Listen() {
  Parts& parts = *parts_;
  if (!rpc::IsLoopbackListenAddress(config_.listen)) {
    if (parts.security.mode == "off") {
      LogWarning(
          "plaintext gRPC on a non-loopback address: anyone on the network "
          "can read and inject events; give --tls-cert and --tls-key",
          {{"listen", config_.listen}});
    }
    if (!parts.authorizer->enabled()) {
      LogWarning(
          "no access file on a non-loopback address: any caller may publish, "
          "read and reprocess events; give --access",
          {{"listen", config_.listen}});
    }
  }
  rpc::GrpcServer::Options options;
  options.listen = config_.listen;
  options.security = &parts.security;
  options.max_message_bytes = config_.max_message_bytes;
  options.is_open = [&parts](absl::string_view name) {
    return parts.IsOpen(name);
  };
  absl::StatusOr<std::unique_ptr<rpc::GrpcServer>> grpc_server =
      rpc::GrpcServer::Start(parts.service.get(), options);
  if (!grpc_server.ok()) {
    return grpc_server.status();
  }
  parts.grpc_server = *std::move(grpc_server);
  if (!config_.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<common::MetricsServer>> metrics_server =
        common::MetricsServer::Start(config_.metrics_listen, parts.metrics);
    if (!metrics_server.ok()) {
      return Annotate("cannot serve metrics", metrics_server.status());
    }
    parts.metrics_server = *std::move(metrics_server);
  }
  return absl::OkStatus();
}

absl::Status Server::Run() {
  Parts& parts = *parts_;
  // "metrics on" before "listening on", which tells a supervisor the server
  // is up.
  if (parts.metrics_server != nullptr) {
    std::printf("metrics on %s\n", parts.metrics_server->address().c_str());
  }
  const std::string host = config_.listen.substr(0, config_.listen.rfind(':'));
  std::printf("listening on %s:%d\n", host.c_str(), parts.grpc_server->port());
  std::fflush(stdout);
  LogInfo("serving", {{"listen", config_.listen},
                      {"port", parts.grpc_server->port()},
                      {"tls", parts.security.mode}});
  common::NotifyReady();
  const int signal = common::WaitForStopSignal([this] { Reload(); });
  LogInfo("stop signal received", {{"signal", common::SignalName(signal)}});
  Drain();
  return absl::OkStatus();
}

void Server::Reload() {
  Parts& parts = *parts_;
  const absl::Status reference = parts.reference->Reload();
  if (reference.ok()) {
    LogInfo("reference data reloaded");
  } else {
    LogError("reference data reload failed; keeping the old data",
             {{"status", reference}});
  }
  if (parts.authorizer->enabled()) {
    const absl::StatusOr<size_t> revoked = parts.authorizer->Reload();
    if (revoked.ok()) {
      LogInfo("access file reloaded", {{"streams_revoked", *revoked}});
    } else {
      LogError("access file reload failed; keeping the old one",
               {{"status", revoked.status()}});
    }
  }
  // Open connections keep their handshake; new ones get the new files.
  if (parts.security.tls != nullptr) {
    const absl::Status tls = parts.security.tls->Reload();
    if (tls.ok()) {
      LogInfo("tls files reloaded");
    } else {
      LogError("tls files reload failed; keeping the old ones",
               {{"status", tls}});
    }
  }
}

// Tells load balancers first, ends the streams (clients resume from their
// last seq elsewhere or after restart), lets in-flight calls finish, then
// closes the log.
void Server::Drain() {
  Parts& parts = *parts_;
  LogInfo("draining",
          {{"timeout", absl::FormatDuration(config_.drain_timeout)}});
  parts.grpc_server->SetServing(false);
  parts.broker->Shutdown();
  parts.service->Drain();
  LogInfo("streams closed");
  parts.grpc_server->Shutdown(config_.drain_timeout);
  LogInfo("calls finished");
  parts.pool->Shutdown();
  parts.log->Shutdown();
  LogInfo("stopped", {{"last_seq", parts.log->LastSeq()}});
}

}  // namespace vouchstream::server

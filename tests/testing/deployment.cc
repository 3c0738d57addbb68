#include "tests/testing/deployment.h"

#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "transcode/signature.h"

#include "tests/testing/gateway_process.h"
#include "tests/testing/http_client.h"
#include "tests/testing/seed_bodies.h"
#include "tests/testing/server_process.h"
#include "tests/testing/test_store.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {
absl::StatusOr<std::unique_ptr<Deployment>> Deployment::Start(Options options) {
  std::unique_ptr<Deployment> deployment(new Deployment(std::move(options)));
  absl::Status started = deployment->StartAll();
  if (!started.ok()) {
    return started;
  }
  return deployment;
}

absl::StatusOr<std::unique_ptr<Deployment>> Deployment::Start(StoreKind store) {
  Options options;
  options.store = store;
  return Start(std::move(options));
}

absl::Status Deployment::StartAll() {
  if (!options_.store_url.empty()) {
    server_options_.store_url = options_.store_url;
  } else if (!options_.sqlite_path.empty()) {
    server_options_.store_path = options_.sqlite_path;
  } else {
    absl::StatusOr<std::unique_ptr<TestStore>> store =
        TestStore::Start(options_.store, dir_);
    if (!store.ok()) {
      return store.status();
    }
    store_ = *std::move(store);
    store_->Configure(server_options_);
  }
  server_options_.channel_credentials = options_.channel_credentials;
  for (int i = 0; i < options_.servers; ++i) {
    absl::StatusOr<std::unique_ptr<ServerProcess>> server =
        LaunchServer({}, "");
    if (!server.ok()) {
      return server.status();
    }
    server_addresses_.push_back((*server)->address());
    servers_.push_back(*std::move(server));
  }
  for (int i = 0; i < options_.gateways; ++i) {
    absl::StatusOr<std::unique_ptr<GatewayProcess>> gateway =
        StartGateway(options_.gateway_args, options_.gateway_wait_ready,
                     i % options_.servers);
    if (!gateway.ok()) {
      return gateway.status();
    }
    gateways_.push_back(*std::move(gateway));
  }
  return absl::OkStatus();
}

Deployment::~Deployment() {
  // Gateways first: their streams would otherwise hold the servers' drain.
  gateways_.clear();
  servers_.clear();
}

absl::StatusOr<std::unique_ptr<ServerProcess>> Deployment::LaunchServer(
    const std::vector<std::string>& extra_args,
    const std::string& listen) const {
  ServerProcess::Options options = server_options_;
  options.extra_args = options_.server_args;
  options.extra_args.insert(options.extra_args.end(), extra_args.begin(),
                            extra_args.end());
  if (!listen.empty()) {
    // The last --listen wins over ServerProcess's port 0.
    options.extra_args.push_back(absl::StrCat("--listen=", listen));
  }
  return ServerProcess::Start(options);
}

ServerProcess& Deployment::server(int i) const {
  if (!server_running(i)) {
    std::abort();  // A test bug: server `i` is stopped or does not exist.
  }
  return *servers_[i];
}

bool Deployment::server_running(int i) const {
  return i >= 0 && static_cast<size_t>(i) < servers_.size() &&
         servers_[i] != nullptr;
}

const std::string& Deployment::server_address(int i) const {
  return server_addresses_.at(i);
}

std::unique_ptr<v1::EventService::Stub> Deployment::NewStub(int i) const {
  return v1::EventService::NewStub(server(i).channel());
}

absl::Status Deployment::StopServer(int i, absl::Duration timeout) {
  absl::Status stopped = server(i).Stop(timeout);
  servers_[i].reset();
  return stopped;
}

absl::Status Deployment::KillServer(int i) {
  if (kill(server(i).pid(), SIGKILL) != 0) {
    return absl::InternalError(absl::StrCat("kill server ", i, " failed"));
  }
  servers_[i].reset();  // Reaps the killed process.
  return absl::OkStatus();
}

absl::Status Deployment::RestartServer(
    int i, const std::vector<std::string>& extra_args) {
  if (server_running(i)) {
    return absl::FailedPreconditionError(
        absl::StrCat("server ", i, " still runs"));
  }
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      LaunchServer(extra_args, server_address(i));
  if (!server.ok()) {
    return server.status();
  }
  servers_[i] = *std::move(server);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ServerProcess>> Deployment::StartServerProcess(
    const std::vector<std::string>& extra_args) const {
  return LaunchServer(extra_args, "");
}

GatewayProcess& Deployment::gateway(int i) const {
  GatewayProcess* gateway = gateways_.at(i).get();
  if (gateway == nullptr) {
    std::abort();  // A test bug: gateway `i` is stopped.
  }
  return *gateway;
}

absl::Status Deployment::StopGateway(int i) {
  absl::Status stopped = gateway(i).Stop();
  gateways_[i].reset();
  return stopped;
}

void Deployment::KillGateway(int i) {
  gateways_.at(i).reset();  // ~GatewayProcess SIGKILLs and reaps.
}

absl::StatusOr<std::unique_ptr<GatewayProcess>> Deployment::StartGateway(
    const std::vector<std::string>& args, bool wait_ready, int server) const {
  GatewayProcess::Options options;
  options.upstream = server_address(server);
  options.secret = options_.secret;
  options.secret_dir = dir_.path();
  options.extra_args = args;
  options.wait_ready = wait_ready;
  return GatewayProcess::Start(options);
}

Headers Deployment::SignatureHeaders(const std::string& body) const {
  return {{"x-voucherify-signature", transcode::SignHex(secret(), body)}};
}

absl::StatusOr<HttpResponse> Deployment::PostWebhook(const std::string& path,
                                                     const std::string& body,
                                                     int gateway) const {
  return HttpPost(gateway_port(gateway), path, body, SignatureHeaders(body));
}

WebhookLoad::Options Deployment::LoadOptions(const std::string& id_prefix,
                                             int gateway) const {
  WebhookLoad::Options options;
  options.port = gateway_port(gateway);
  options.body = SeedBody();
  options.placeholder.assign(kSeedPublicationId.data(),
                             kSeedPublicationId.size());
  options.id_prefix = id_prefix;
  options.secret = secret();
  return options;
}

absl::Status Deployment::Stop() {
  absl::Status first = absl::OkStatus();
  for (size_t i = 0; i < gateways_.size(); ++i) {
    if (gateways_[i] != nullptr) {
      first.Update(StopGateway(static_cast<int>(i)));
    }
  }
  for (size_t i = 0; i < servers_.size(); ++i) {
    if (servers_[i] != nullptr) {
      first.Update(StopServer(static_cast<int>(i)));
    }
  }
  return first;
}

}  // namespace vouchstream::testing

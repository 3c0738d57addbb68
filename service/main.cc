// vouchstream-server: the gRPC service over the event log. `--help` lists
// the flags (service/server/server_config.cc); service/server/server.h says
// what the server prints, logs and does on signals.
//
//   vouchstream-server --listen=127.0.0.1:50051 --store=sqlite:events.db
//   vouchstream-server --store='nats://127.0.0.1:4222?stream=VS&replicas=3'
//   vouchstream-server --hash-token < token.txt  # for the access file

#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "common/json_log.h"
#include "common/stop_signals.h"
#include "common/usage.h"
#include "service/auth/token_hash.h"
#include "service/server/server.h"
#include "service/server/server_config.h"

namespace {

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
  namespace auth = vouchstream::auth;
  std::printf("%s\n", auth::DigestHex(auth::HashToken(token)).c_str());
  return 0;
}

int Fail(const absl::Status& status) {
  vouchstream::common::LogError("cannot start", {{"status", status}});
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace common = vouchstream::common;
  using vouchstream::server::Server;
  using vouchstream::server::ServerConfig;
  // Before any thread exists, so that every thread inherits the mask.
  common::BlockStopSignals();
  common::SetUsage(
      "vouchstream-server", "service/",
      "The vouchstream gRPC service: validates, enriches, stores and streams "
      "Voucherify events.\n\n"
      "  vouchstream-server --listen=127.0.0.1:50051 --store=sqlite:events.db "
      "[--access=FILE] [--tls-cert=FILE --tls-key=FILE]");
  common::NormalizeFlagNames(argc, argv);
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<ServerConfig> config = ServerConfig::FromFlags();
  if (!config.ok()) {
    return Fail(config.status());
  }
  if (config->hash_token) {
    return HashToken();
  }
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Create(*std::move(config));
  if (!server.ok()) {
    return Fail(server.status());
  }
  return (*server)->Run().ok() ? 0 : 1;
}

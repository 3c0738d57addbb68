#pragma once
// SIGHUP in the gateway: reloads the webhook secrets (`--secret-file`) and
// the HTTPS certificate and key (`--tls-cert`, `--tls-key`) without
// touching open connections. Each part that fails to reload (unreadable
// file, no secret, key not matching the certificate, a secret file or key
// that group/others may read unless --allow-loose-files) keeps its old
// material and is logged (JSON on stderr); the gateway keeps running.
//
//   Reloader reloader(options, secrets.get(), server.get());
//   common::WaitForStopSignal([&] { static_cast<void>(reloader.Reload()); });
//
// Thread-compatible: one thread (the one waiting for signals) calls
// `Reload`.

#include <string>
#include <utility>

#include "absl/status/status.h"

#include "gateway/http/http_server.h"
#include "gateway/webhook/webhook_secrets.h"

namespace vouchstream::gateway {

class Reloader {
 public:
  struct Options {
    std::string secret_file;         // --secret-file
    std::string tls_key;             // --tls-key
    bool allow_loose_files = false;  // --allow-loose-files
  };

  // `secrets` is null when verification is off; `server` must outlive the
  // reloader.
  Reloader(Options options, WebhookSecrets* secrets, HttpServer* server)
      : options_(std::move(options)), secrets_(secrets), server_(server) {}

  // Reloads the secrets (when verifying) and the TLS context (when serving
  // HTTPS), logging each outcome. OK when every part reloaded; otherwise
  // the first error (the other parts were still tried).
  absl::Status Reload();

 private:
  absl::Status ReloadSecrets();
  absl::Status ReloadTls();

  const Options options_;
  WebhookSecrets* const secrets_;
  HttpServer* const server_;
};

}  // namespace vouchstream::gateway

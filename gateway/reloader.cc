#include "gateway/reloader.h"

#include "common/json_log.h"
#include "common/private_file.h"

namespace vouchstream::gateway {

absl::Status Reloader::Reload() {
  absl::Status secrets = ReloadSecrets();
  absl::Status tls = ReloadTls();
  return secrets.ok() ? tls : secrets;
}

absl::Status Reloader::ReloadSecrets() {
  if (secrets_ == nullptr) {
    return absl::OkStatus();
  }
  absl::Status status = absl::OkStatus();
  if (!options_.allow_loose_files) {
    status = common::CheckPrivateFile("--secret-file", options_.secret_file);
  }
  absl::StatusOr<size_t> count = 0;
  if (status.ok()) {
    count = secrets_->Reload();
    status = count.status();
  }
  if (status.ok()) {
    common::LogInfo("webhook secrets reloaded", {{"in_force", *count}});
  } else {
    common::LogError("reload failed; keeping the old webhook secrets",
                     {{"status", status}});
  }
  return status;
}

absl::Status Reloader::ReloadTls() {
  if (!server_->tls()) {
    return absl::OkStatus();
  }
  absl::Status status = absl::OkStatus();
  if (!options_.allow_loose_files) {
    status = common::CheckPrivateFile("--tls-key", options_.tls_key);
  }
  if (status.ok()) {
    status = server_->ReloadTls();
  }
  if (status.ok()) {
    common::LogInfo("tls certificate and key reloaded (new connections)");
  } else {
    common::LogError("reload failed; keeping the old tls certificate and key",
                     {{"status", status}});
  }
  return status;
}

}  // namespace vouchstream::gateway

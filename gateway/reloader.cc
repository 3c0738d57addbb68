#include "gateway/reloader.h"

#include <cstdio>
#include <string>

#include "common/private_file.h"
#include "common/systemd_notify.h"

namespace vouchstream::gateway {
namespace {

void Log(const std::string& line) {
  std::fprintf(stderr, "vouchstream-gateway: %s\n", line.c_str());
}

}  // namespace

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
    Log("reload: webhook secrets reloaded (" + std::to_string(*count) +
        " in force)");
  } else {
    Log("reload failed; keeping the old webhook secrets: " + status.ToString());
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
    Log("reload: tls certificate and key reloaded (new connections)");
  } else {
    Log("reload failed; keeping the old tls certificate and key: " +
        status.ToString());
  }
  return status;
}

int WaitForStopSignal(const sigset_t& signals, Reloader& reloader) {
  while (true) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) {
      continue;
    }
    if (signal_number != SIGHUP) {
      common::NotifyStopping();
      return signal_number;
    }
    common::NotifyReloading();
    // Failures are logged by Reload and change nothing: keep serving.
    static_cast<void>(reloader.Reload());
    common::NotifyReady();
  }
}

}  // namespace vouchstream::gateway

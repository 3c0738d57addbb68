#include "common/systemd_notify.h"

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include <systemd/sd-daemon.h>

namespace vouchstream::common {
namespace {

// One datagram; sd_notify returns 0 without NOTIFY_SOCKET and a negative
// errno on failure, both of which the callers have no use for (see the
// header).
void Send(const std::string& state) {
  static_cast<void>(sd_notify(/*unset_environment=*/0, state.c_str()));
}

}  // namespace

void NotifyReady(absl::string_view status) {
  Send(status.empty() ? std::string{"READY=1"}
                      : absl::StrCat("READY=1\nSTATUS=", status));
}

void NotifyReloading() {
  // libstdc++'s steady_clock is CLOCK_MONOTONIC, the clock systemd means.
  const int64_t usec = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count();
  Send(absl::StrCat("RELOADING=1\nMONOTONIC_USEC=", usec));
}

void NotifyStopping() { Send("STOPPING=1"); }

}  // namespace vouchstream::common

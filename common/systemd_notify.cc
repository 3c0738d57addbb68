#include "common/systemd_notify.h"

#include <time.h>

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
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const uint64_t usec = static_cast<uint64_t>(now.tv_sec) * 1000000 +
                        static_cast<uint64_t>(now.tv_nsec) / 1000;
  Send(absl::StrCat("RELOADING=1\nMONOTONIC_USEC=", usec));
}

void NotifyStopping() { Send("STOPPING=1"); }

}  // namespace vouchstream::common

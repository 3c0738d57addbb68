#pragma once
// Tells systemd (a `Type=notify` unit, see deploy/systemd/) where the
// process is in its life, through Debian's libsystemd `sd_notify`. Each
// call is a no-op when `NOTIFY_SOCKET` is unset (not started by systemd), so
// the binaries call them unconditionally:
//
//   std::printf("listening on %s\n", address);  // then
//   common::NotifyReady();
//   ...                                         // SIGHUP:
//   common::NotifyReloading();  reload...;  common::NotifyReady();
//   ...                                         // SIGTERM:
//   common::NotifyStopping();   drain...
//
// Thread-safe: free functions without state of their own (each sends one
// datagram). Failures to send are ignored: systemd's watchdog and start
// timeout notice a process that never reports, and the service must not
// stop because its supervisor went away.

#include "absl/strings/string_view.h"

namespace vouchstream::common {

// "READY=1": serving (after start, and after a reload). `status` (optional)
// goes along as "STATUS=..." for `systemctl status`.
void NotifyReady(absl::string_view status = "");

// "RELOADING=1" with MONOTONIC_USEC (systemd 253 asks for it; older ones
// ignore it): a SIGHUP reload began. Send NotifyReady() once it is done,
// whether it succeeded or kept the old material.
void NotifyReloading();

// "STOPPING=1": draining on SIGTERM/SIGINT.
void NotifyStopping();

}  // namespace vouchstream::common

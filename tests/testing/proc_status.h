#pragma once
// Reads a process's memory figures from /proc/PID/status, for tests that
// bound a real process's memory.
//
//   absl::StatusOr<int64_t> rss = RssKib(server->pid());
//
// Thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"
#include <sys/types.h>

namespace vouchstream::testing {

// The resident set size (VmRSS) of process `pid`, in KiB. kNotFound when
// the process is gone.
absl::StatusOr<int64_t> RssKib(pid_t pid);

}  // namespace vouchstream::testing

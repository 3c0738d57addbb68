#pragma once
// The stop and reload signals of a long-running binary, taken by sigwait on
// the thread that waits, never in a signal handler:
//
//   int main(int argc, char** argv) {
//     common::BlockStopSignals();  // first: every later thread inherits it
//     ...
//     const int stop = common::WaitForStopSignal([&] { Reload(); });
//     LogInfo("stop signal received", {{"signal", SignalName(stop)}});
//
// Under systemd (Type=notify) a SIGHUP's reload runs between RELOADING=1 and
// READY=1, and a stop signal sends STOPPING=1 before it is returned.

#include <string>

#include "absl/functional/function_ref.h"

namespace vouchstream::common {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread, and so in every
// thread it starts afterwards (gRPC's and the store's included). Call it
// before any thread exists.
void BlockStopSignals();

// Waits for SIGTERM or SIGINT and returns it; every SIGHUP meanwhile runs
// `reload` on the calling thread. The signals must be blocked
// (BlockStopSignals).
int WaitForStopSignal(absl::FunctionRef<void()> reload);

// "SIGTERM", "SIGINT", "SIGHUP", or "signal N".
std::string SignalName(int signal);

}  // namespace vouchstream::common

#include "common/stop_signals.h"

#include <pthread.h>

#include <csignal>

#include "absl/strings/str_cat.h"

#include "common/systemd_notify.h"

namespace vouchstream::common {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockStopSignals() {
  const sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForStopSignal(absl::FunctionRef<void()> reload) {
  const sigset_t set = StopSignals();
  while (true) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) {
      continue;
    }
    if (signal != SIGHUP) {
      NotifyStopping();
      return signal;
    }
    NotifyReloading();
    reload();
    NotifyReady();
  }
}

std::string SignalName(int signal) {
  switch (signal) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    default:
      return absl::StrCat("signal ", signal);
  }
}

}  // namespace vouchstream::common

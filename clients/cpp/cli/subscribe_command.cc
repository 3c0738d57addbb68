// `vouchstream-cli subscribe [--server=HOST:PORT] [--from=earliest|latest |
// --after=SEQ] [--type=PATTERN] [--campaign=ID] [--customer=ID]
// [--metadata=K=V] [--code=RE2] [--limit=N] [--idle-timeout=SECONDS]`:
// prints one JSON line per delivered event (proto field names), and exits 0
// after --limit events or once no event came for --idle-timeout seconds.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/grpc_flags.h"

namespace vouchstream::cli {
namespace {

int Usage(const std::string& arg) {
  std::fprintf(stderr,
               "subscribe: bad argument \"%s\"\n"
               "usage: vouchstream-cli subscribe [--server=HOST:PORT] "
               "[--from=earliest|latest | --after=SEQ] [--type=PATTERN] "
               "[--campaign=ID] [--customer=ID] [--limit=N] "
               "[--idle-timeout=SECONDS]\n",
               arg.c_str());
  return 2;
}

}  // namespace

int SubscribeCommand(const std::vector<std::string>& args) {
  std::string server = kDefaultServer;
  v1::SubscribeRequest request;
  uint64_t limit = 0;  // 0: no limit
  double idle_seconds = 0;
  for (const std::string& arg : args) {
    if (ParseCommonFlag(arg, &server, request.mutable_filter())) {
      continue;
    }
    if (arg == "--from=earliest") {
      request.set_from(v1::BOUNDARY_EARLIEST);
    } else if (arg == "--from=latest") {
      request.set_from(v1::BOUNDARY_LATEST);
    } else if (absl::StartsWith(arg, "--after=")) {
      uint64_t seq = 0;
      if (!absl::SimpleAtoi(arg.substr(8), &seq)) {
        return Usage(arg);
      }
      request.set_after_seq(seq);
    } else if (absl::StartsWith(arg, "--limit=")) {
      if (!absl::SimpleAtoi(arg.substr(8), &limit)) {
        return Usage(arg);
      }
    } else if (absl::StartsWith(arg, "--idle-timeout=")) {
      if (!absl::SimpleAtod(arg.substr(15), &idle_seconds) ||
          idle_seconds < 0) {
        return Usage(arg);
      }
    } else {
      return Usage(arg);
    }
  }

  auto stub = MakeStub(server);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);

  // The idle timer runs beside the blocking reads and cancels the call.
  std::atomic<int64_t> last_event_ms{absl::ToUnixMillis(absl::Now())};
  std::atomic<bool> idle_expired{false};
  absl::Notification stop_watchdog;
  std::thread watchdog;
  if (idle_seconds > 0) {
    watchdog = std::thread([&] {
      const absl::Duration idle = absl::Seconds(idle_seconds);
      while (!stop_watchdog.WaitForNotificationWithTimeout(
          absl::Milliseconds(50))) {
        if (absl::Now() - absl::FromUnixMillis(last_event_ms.load()) >= idle) {
          idle_expired = true;
          context.TryCancel();
          return;
        }
      }
    });
  }

  uint64_t delivered = 0;
  bool limit_reached = false;
  v1::SubscribeResponse response;
  while (reader->Read(&response)) {
    if (!response.has_event()) {
      continue;  // caught_up markers and heartbeats
    }
    last_event_ms = absl::ToUnixMillis(absl::Now());
    const std::string line = ToJsonLine(response.event());
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);
    if (limit > 0 && ++delivered >= limit) {
      limit_reached = true;
      context.TryCancel();
      break;
    }
  }
  stop_watchdog.Notify();
  if (watchdog.joinable()) {
    watchdog.join();
  }
  const grpc::Status status = reader->Finish();
  if (limit_reached || idle_expired) {
    return 0;
  }
  if (!status.ok()) {
    return ReportError("subscribe", status);
  }
  return 0;
}

}  // namespace vouchstream::cli

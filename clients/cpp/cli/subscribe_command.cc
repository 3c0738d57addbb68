// `vouchstream-cli subscribe [--server=HOST:PORT] [--from=earliest|latest |
// --after=SEQ] [--type=PATTERN] [--campaign=ID] [--customer=ID]
// [--metadata=K=V] [--code=RE2] [--limit=N] [--idle-timeout=SECONDS]`:
// prints one JSON line per delivered event (proto field names), and exits 0
// after --limit events or once no event came for --idle-timeout seconds.
// The stream resumes by itself after UNAVAILABLE (clients/cpp/lib).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/grpc_flags.h"
#include "clients/cpp/lib/subscriber.h"

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

// `ReportError` speaks grpc::Status; the library hands back the server's
// status as absl::Status with its details as a payload (see subscriber.h).
grpc::Status ToGrpcStatus(const absl::Status& status) {
  const absl::optional<absl::Cord> details =
      status.GetPayload(client::kGrpcStatusDetailsUrl);
  return {static_cast<grpc::StatusCode>(status.code()),
          std::string{status.message()},
          details.has_value() ? std::string{*details} : ""};
}

// What the command line asks for.
struct SubscribeArgs {
  std::string server = kDefaultServer;
  v1::SubscribeRequest request;
  uint64_t limit = 0;  // 0: no limit
  double idle_seconds = 0;
};

// Applies one argument to `out`; false when it is not a valid argument.
bool ParseArg(const std::string& arg, SubscribeArgs* out) {
  if (ParseCommonFlag(arg, &out->server, out->request.mutable_filter())) {
    return true;
  }
  if (arg == "--from=earliest") {
    out->request.set_from(v1::BOUNDARY_EARLIEST);
    return true;
  }
  if (arg == "--from=latest") {
    out->request.set_from(v1::BOUNDARY_LATEST);
    return true;
  }
  if (absl::StartsWith(arg, "--after=")) {
    uint64_t seq = 0;
    if (!absl::SimpleAtoi(arg.substr(8), &seq)) {
      return false;
    }
    out->request.set_after_seq(seq);
    return true;
  }
  if (absl::StartsWith(arg, "--limit=")) {
    return absl::SimpleAtoi(arg.substr(8), &out->limit);
  }
  if (absl::StartsWith(arg, "--idle-timeout=")) {
    // Written as "not negative" so that NaN passes, like 0: no idle timeout.
    return absl::SimpleAtod(arg.substr(15), &out->idle_seconds) &&
           !(out->idle_seconds < 0);
  }
  return false;
}

// The library's options for the filter and start position in `request`.
client::Subscriber::Options OptionsFor(const v1::SubscribeRequest& request) {
  client::Subscriber::Options options;
  options.filter = request.filter();
  if (request.start_case() == v1::SubscribeRequest::kAfterSeq) {
    options.start = client::Subscriber::StartAt::AfterSeq(request.after_seq());
  } else if (request.from() == v1::BOUNDARY_LATEST) {
    options.start = client::Subscriber::StartAt::Latest();
  }
  return options;
}

// Returns once `subscriber` is done or, when `idle_seconds` > 0, once no
// event came for that long (`last_event_ms` is set by the handler).
void WaitForDoneOrIdle(client::Subscriber& subscriber, double idle_seconds,
                       const std::atomic<int64_t>& last_event_ms) {
  if (idle_seconds > 0) {
    const absl::Duration idle = absl::Seconds(idle_seconds);
    while (!subscriber.WaitForDone(absl::Milliseconds(50))) {
      if (absl::Now() - absl::FromUnixMillis(last_event_ms.load()) >= idle) {
        return;
      }
    }
    return;
  }
  subscriber.WaitForDone(absl::InfiniteDuration());
}

}  // namespace

int SubscribeCommand(const std::vector<std::string>& args) {
  SubscribeArgs parsed;
  for (const std::string& arg : args) {
    if (!ParseArg(arg, &parsed)) {
      return Usage(arg);
    }
  }
  const uint64_t limit = parsed.limit;
  const client::Subscriber::Options options = OptionsFor(parsed.request);

  // The handler runs on the subscriber's thread; the main thread watches
  // for idleness beside it.
  std::atomic<int64_t> last_event_ms{absl::ToUnixMillis(absl::Now())};
  uint64_t delivered = 0;  // touched only by the handler
  client::Subscriber* subscriber_ptr = nullptr;
  client::Subscriber subscriber(
      MakeChannel(parsed.server), options, [&](const v1::Event& event) {
        last_event_ms = absl::ToUnixMillis(absl::Now());
        const std::string line = ToJsonLine(event);
        std::fprintf(stdout, "%s\n", line.c_str());
        std::fflush(stdout);
        if (limit > 0 && ++delivered >= limit) {
          subscriber_ptr->Stop();
        }
        return absl::OkStatus();
      });
  subscriber_ptr = &subscriber;
  subscriber.Start();
  WaitForDoneOrIdle(subscriber, parsed.idle_seconds, last_event_ms);
  const absl::Status status = subscriber.Shutdown();
  if (!status.ok()) {
    return ReportError("subscribe", ToGrpcStatus(status));
  }
  return 0;
}

}  // namespace vouchstream::cli

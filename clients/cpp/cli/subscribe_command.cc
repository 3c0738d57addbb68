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

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/flags.h"
#include "clients/cpp/cli/grpc_flags.h"
#include "clients/cpp/lib/subscriber.h"
#include "common/grpc_status.h"

namespace vouchstream::cli {
namespace {

// What the command line asks for.
struct SubscribeArgs {
  client::Subscriber::Options options;
  uint64_t limit = 0;  // 0: no limit
  double idle_seconds = 0;
};

// The flags as SubscribeArgs; kInvalidArgument naming the flag.
absl::StatusOr<SubscribeArgs> ArgsFromFlags() {
  SubscribeArgs out;
  absl::StatusOr<v1::EventFilter> filter = FilterFromFlags("subscribe");
  if (!filter.ok()) {
    return filter.status();
  }
  out.options.filter = *std::move(filter);
  const std::string from = absl::GetFlag(FLAGS_from);
  const absl::optional<uint64_t> after = absl::GetFlag(FLAGS_after);
  if (after.has_value() && !from.empty()) {
    return absl::InvalidArgumentError(
        "subscribe: give --from or --after, not both");
  }
  if (after.has_value()) {
    out.options.start = client::Subscriber::StartAt::AfterSeq(*after);
  } else if (from == "latest") {
    out.options.start = client::Subscriber::StartAt::Latest();
  } else if (!from.empty() && from != "earliest") {
    return absl::InvalidArgumentError(absl::StrCat(
        "subscribe: --from \"", from, "\" is not earliest or latest"));
  }
  const int64_t limit = absl::GetFlag(FLAGS_limit).value_or(0);
  out.idle_seconds = absl::GetFlag(FLAGS_idle_timeout);
  // Written as "not negative" so that NaN passes, like 0: no idle timeout.
  if (limit < 0 || out.idle_seconds < 0) {
    return absl::InvalidArgumentError(
        "subscribe: --limit and --idle-timeout must not be negative");
  }
  out.limit = static_cast<uint64_t>(limit);
  return out;
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
  absl::StatusOr<SubscribeArgs> parsed = ArgsFromFlags();
  if (!args.empty() || !parsed.ok()) {
    std::fprintf(stderr, "%s\n",
                 parsed.ok() ? "subscribe: takes no arguments, only flags"
                             : std::string{parsed.status().message()}.c_str());
    return 2;
  }
  const uint64_t limit = parsed->limit;

  // The handler runs on the subscriber's thread; the main thread watches
  // for idleness beside it.
  std::atomic<int64_t> last_event_ms{absl::ToUnixMillis(absl::Now())};
  uint64_t delivered = 0;  // touched only by the handler
  std::string line;        // the handler's buffer, reused per event
  client::Subscriber* subscriber_ptr = nullptr;
  client::Subscriber subscriber(
      MakeChannel(absl::GetFlag(FLAGS_server)), parsed->options,
      [&](const v1::Event& event) {
        last_event_ms = absl::ToUnixMillis(absl::Now());
        line.clear();
        AppendJsonLine(event, &line);
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
        if (limit > 0 && ++delivered >= limit) {
          subscriber_ptr->Stop();
        }
        return absl::OkStatus();
      });
  subscriber_ptr = &subscriber;
  subscriber.Start();
  WaitForDoneOrIdle(subscriber, parsed->idle_seconds, last_event_ms);
  const absl::Status status = subscriber.Shutdown();
  if (!status.ok()) {
    // `ReportError` speaks grpc::Status; the library hands back the server's
    // status as absl::Status with its details as a payload (subscriber.h).
    return ReportError("subscribe", common::ToGrpcStatus(status));
  }
  return 0;
}

}  // namespace vouchstream::cli

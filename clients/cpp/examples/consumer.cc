// Example consumer on the C++ client library (clients/cpp/lib):
//
//   vouchstream-example-consumer --server=127.0.0.1:50051
//       --cursor=/tmp/consumer-cpp.seq --type='publication.*'
//       --campaign=camp_EV79Z6CjaAMpX4pFxVivvzzk   (one command line)
//   TLS: --ca=ca.pem; mTLS: also --cert=client.pem --key=client.key;
//   --server-name=NAME checks that name in the server's certificate;
//   --token-file=FILE sends "authorization: Bearer <token>".
//
// Prints one JSON line per matching event
// ({"seq","id","type","campaign_id","customer_id"}), then saves its seq in
// the cursor file; on start it resumes after the saved seq. A redemption.*
// event whose payload is typed (`RedemptionOutcome` or
// `RedemptionRollbackOutcome`) also gets "order_amount": the typed
// `order.amount` (smallest currency unit), null when the body has none; an
// untyped one (`data`) does not. --type, --campaign and --customer may
// repeat. SIGINT/SIGTERM stop it after the event in hand is printed and
// saved. Exit code: 0 when stopped by a signal, 1 on an error that retrying
// cannot fix, 2 on a usage error.

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

#include "voucherify/v1/order.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "clients/cpp/lib/file_cursor.h"
#include "clients/cpp/lib/subscriber.h"
#include "common/channel_options.h"
#include "common/json_escape.h"

namespace {

using ::vouchstream::client::ChannelFactory;
using ::vouchstream::client::ChannelOptions;
using ::vouchstream::client::FileCursor;
using ::vouchstream::client::Subscriber;
using ::vouchstream::common::JsonQuote;

// The order of a redemption.* event's typed payload; null for any other
// payload, `data` included. Read from the generated classes, not from the
// JSON body: an untyped redemption has no order here.
const voucherify::v1::Order* RedemptionOrder(
    const vouchstream::v1::Event& event) {
  using Event = vouchstream::v1::Event;
  switch (event.payload_case()) {
    case Event::kRedemptionSucceeded:
      return &event.redemption_succeeded().order();
    case Event::kRedemptionFailed:
      return &event.redemption_failed().order();
    case Event::kRedemptionRollbackSucceeded:
      return &event.redemption_rollback_succeeded().order();
    case Event::kRedemptionRollbackFailed:
      return &event.redemption_rollback_failed().order();
    default:
      return nullptr;
  }
}

// `, "order_amount": N` (null without an amount) for a typed redemption,
// else nothing.
std::string OrderAmountField(const vouchstream::v1::Event& event) {
  const voucherify::v1::Order* order = RedemptionOrder(event);
  if (order == nullptr) {
    return "";
  }
  return absl::StrCat(
      ", \"order_amount\": ",
      order->has_amount() ? absl::StrCat(order->amount()) : "null");
}

bool Consume(const std::string& arg, const char* name, std::string* value) {
  if (!absl::StartsWith(arg, name)) {
    return false;
  }
  *value = arg.substr(std::string(name).size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string server = "127.0.0.1:50051";
  std::string cursor_path = "consumer.seq";
  Subscriber::Options options;
  ChannelOptions channel_options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string value;
    if (vouchstream::client::ParseChannelFlag(arg, &channel_options)) {
      continue;
    }
    if (Consume(arg, "--server=", &value)) {
      server = value;
    } else if (Consume(arg, "--cursor=", &value)) {
      cursor_path = value;
    } else if (Consume(arg, "--type=", &value)) {
      options.filter.add_types(value);
    } else if (Consume(arg, "--campaign=", &value)) {
      options.filter.add_campaign_ids(value);
    } else if (Consume(arg, "--customer=", &value)) {
      options.filter.add_customer_ids(value);
    } else {
      std::fprintf(stderr,
                   "consumer: bad argument \"%s\"\nusage: "
                   "vouchstream-example-consumer [--server=HOST:PORT] "
                   "[--cursor=FILE] [--type=PATTERN] [--campaign=ID] "
                   "[--customer=ID] %s\n",
                   arg.c_str(), vouchstream::client::kChannelFlagsUsage);
      return 2;
    }
  }
  const absl::StatusOr<ChannelFactory> channels =
      ChannelFactory::Create(channel_options);
  if (!channels.ok()) {
    std::fprintf(stderr, "consumer: %s\n",
                 std::string{channels.status().message()}.c_str());
    return 2;
  }

  // Signals are taken synchronously by the main thread (sigtimedwait below):
  // block them before gRPC starts its threads, which inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const FileCursor cursor(cursor_path);
  const absl::StatusOr<std::optional<uint64_t>> saved = cursor.Load();
  if (!saved.ok()) {
    std::fprintf(stderr, "consumer: %s\n", saved.status().ToString().c_str());
    return 1;
  }
  if (saved->has_value()) {
    options.start = Subscriber::StartAt::AfterSeq(**saved);
  }
  Subscriber subscriber(
      channels->Connect(server), options,
      [&cursor](const vouchstream::v1::Event& event) {
        std::printf(
            "{\"seq\": %llu, \"id\": %s, \"type\": %s, \"campaign_id\": %s, "
            "\"customer_id\": %s%s}\n",
            static_cast<unsigned long long>(event.seq()),  // NOLINT
            JsonQuote(event.id()).c_str(), JsonQuote(event.type()).c_str(),
            JsonQuote(event.enrichment().campaign_id()).c_str(),
            JsonQuote(event.enrichment().customer_id()).c_str(),
            OrderAmountField(event).c_str());
        std::fflush(stdout);
        return cursor.Save(event.seq());
      });
  subscriber.Start();
  std::fprintf(stderr, "consumer: subscribed to %s (tls: %s) after seq %s\n",
               server.c_str(), channels->tls_mode().c_str(),
               saved->has_value() ? absl::StrCat(**saved).c_str() : "none");

  // Wakes every 100 ms to notice a subscription that ended by itself.
  const timespec tick{0, 100L * 1000 * 1000};
  while (!subscriber.WaitForDone(absl::ZeroDuration())) {
    const int signal = sigtimedwait(&stop_signals, nullptr, &tick);
    if (signal == SIGINT || signal == SIGTERM) {
      break;
    }
  }
  const absl::Status status = subscriber.Shutdown();
  const std::optional<uint64_t> last = subscriber.last_seq();
  std::fprintf(stderr, "consumer: stopped after seq %s\n",
               last.has_value() ? absl::StrCat(*last).c_str() : "none");
  if (!status.ok()) {
    std::fprintf(stderr, "consumer: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}

// `vouchstream-cli list [--server=HOST:PORT] [--after=SEQ] [--type=PATTERN]
// [--campaign=ID] [--customer=ID] [--metadata=K=V] [--code=RE2] [--limit=N]`:
// prints stored events in log order, one JSON line each, following page
// tokens until the log ends or --limit events (default 100) are printed.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/flags.h"
#include "clients/cpp/cli/grpc_flags.h"

namespace vouchstream::cli {

int ListCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr,
                 "list: unexpected argument \"%s\" (see vouchstream-cli "
                 "list --help)\n",
                 args.front().c_str());
    return 2;
  }
  const int64_t limit = absl::GetFlag(FLAGS_limit).value_or(100);
  absl::StatusOr<v1::EventFilter> filter = FilterFromFlags("list");
  if (!filter.ok() || limit <= 0) {
    std::fprintf(stderr, "%s\n",
                 filter.ok() ? "list: --limit must be positive"
                             : std::string{filter.status().message()}.c_str());
    return 2;
  }
  v1::ListEventsRequest request;
  *request.mutable_filter() = *std::move(filter);
  request.set_after_seq(absl::GetFlag(FLAGS_after).value_or(0));
  auto stub = MakeStub(absl::GetFlag(FLAGS_server));
  int64_t printed = 0;
  while (printed < limit) {
    request.set_page_size(
        static_cast<int32_t>(std::min<int64_t>(1000, limit - printed)));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    v1::ListEventsResponse response;
    const grpc::Status status = stub->ListEvents(&context, request, &response);
    if (!status.ok()) {
      return ReportError("list", status);
    }
    for (const v1::Event& event : response.events()) {
      std::printf("%s\n", ToJsonLine(event).c_str());
      ++printed;
    }
    if (response.next_page_token().empty()) {
      break;
    }
    request.set_page_token(response.next_page_token());
  }
  return 0;
}

}  // namespace vouchstream::cli

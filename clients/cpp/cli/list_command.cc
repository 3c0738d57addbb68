// `vouchstream-cli list [--server=HOST:PORT] [--after=SEQ] [--type=PATTERN]
// [--campaign=ID] [--customer=ID] [--metadata=K=V] [--code=RE2] [--limit=N]`:
// prints stored events in log order, one JSON line each, following page
// tokens until the log ends or --limit events (default 100) are printed.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/grpc_flags.h"

namespace vouchstream::cli {

int ListCommand(const std::vector<std::string>& args) {
  std::string server = kDefaultServer;
  v1::ListEventsRequest request;
  int64_t limit = 100;
  for (const std::string& arg : args) {
    if (ParseCommonFlag(arg, &server, request.mutable_filter())) {
      continue;
    }
    uint64_t after = 0;
    if (absl::StartsWith(arg, "--after=") &&
        absl::SimpleAtoi(arg.substr(8), &after)) {
      request.set_after_seq(after);
    } else if (absl::StartsWith(arg, "--limit=") &&
               absl::SimpleAtoi(arg.substr(8), &limit) && limit > 0) {
    } else {
      std::fprintf(stderr,
                   "list: bad argument \"%s\"\n"
                   "usage: vouchstream-cli list [--server=HOST:PORT] "
                   "[--after=SEQ] [--type=PATTERN] [--campaign=ID] "
                   "[--customer=ID] [--limit=N]\n",
                   arg.c_str());
      return 2;
    }
  }
  auto stub = MakeStub(server);
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

// `vouchstream-cli get [--server=HOST:PORT] [--type=TYPE] SEQ|ID`: prints one
// stored event as a JSON line (proto field names). All digits means a seq.
// An id names one event together with its type (identity is (type, id));
// without --type the newest event with that id.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/flags.h"
#include "clients/cpp/cli/grpc_flags.h"

namespace vouchstream::cli {

int GetCommand(const std::vector<std::string>& args) {
  if (args.size() != 1 || args.front().empty()) {
    std::fprintf(stderr,
                 "get: takes one SEQ or ID, not %zu arguments (see "
                 "vouchstream-cli get --help)\n",
                 args.size());
    return 2;
  }
  const absl::StatusOr<std::string> type = SingleTypeFlag("get");
  if (!type.ok()) {
    std::fprintf(stderr, "%s\n", std::string{type.status().message()}.c_str());
    return 2;
  }
  const std::string& key = args.front();
  v1::GetEventRequest request;
  uint64_t seq = 0;
  if (absl::SimpleAtoi(key, &seq)) {
    request.set_seq(seq);
  } else {
    request.set_id(key);
    request.set_type(*type);
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::GetEventResponse response;
  const grpc::Status status = MakeStub(absl::GetFlag(FLAGS_server))
                                  ->GetEvent(&context, request, &response);
  if (!status.ok()) {
    return ReportError("get", status);
  }
  std::printf("%s\n", ToJsonLine(response.event()).c_str());
  return 0;
}

}  // namespace vouchstream::cli

// `vouchstream-cli get [--server=HOST:PORT] [--type=TYPE] SEQ|ID`: prints one
// stored event as a JSON line (proto field names). All digits means a seq.
// An id names one event together with its type (identity is (type, id));
// without --type the newest event with that id.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/grpc_flags.h"

namespace vouchstream::cli {

int GetCommand(const std::vector<std::string>& args) {
  std::string server = kDefaultServer;
  std::string key;
  std::string type;
  for (const std::string& arg : args) {
    if (absl::StartsWith(arg, "--server=")) {
      server = arg.substr(9);
    } else if (absl::StartsWith(arg, "--type=")) {
      type = arg.substr(7);
    } else if (key.empty() && !absl::StartsWith(arg, "--")) {
      key = arg;
    } else {
      key.clear();
      break;
    }
  }
  if (key.empty()) {
    std::fprintf(stderr,
                 "usage: vouchstream-cli get [--server=HOST:PORT] "
                 "[--type=TYPE] SEQ|ID\n");
    return 2;
  }
  v1::GetEventRequest request;
  uint64_t seq = 0;
  if (absl::SimpleAtoi(key, &seq)) {
    request.set_seq(seq);
  } else {
    request.set_id(key);
    request.set_type(type);
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::GetEventResponse response;
  const grpc::Status status =
      MakeStub(server)->GetEvent(&context, request, &response);
  if (!status.ok()) {
    return ReportError("get", status);
  }
  std::printf("%s\n", ToJsonLine(response.event()).c_str());
  return 0;
}

}  // namespace vouchstream::cli

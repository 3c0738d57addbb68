// `vouchstream-cli quarantine [--server=HOST:PORT] [--reprocess=ID]`: lists
// the events that failed validation, one JSON line each with their field
// violations; with --reprocess, validates entry ID again and, if it passes
// now, appends it (prints {"seq":N,"duplicate":bool}).

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/flags.h"
#include "clients/cpp/cli/grpc_flags.h"

namespace vouchstream::cli {

int QuarantineCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr,
                 "quarantine: unexpected argument \"%s\" (see "
                 "vouchstream-cli quarantine --help)\n",
                 args.front().c_str());
    return 2;
  }
  const uint64_t reprocess = absl::GetFlag(FLAGS_reprocess);
  auto stub = MakeStub(absl::GetFlag(FLAGS_server));
  if (reprocess > 0) {
    grpc::ClientContext context;
    v1::ReprocessRequest request;
    request.set_quarantine_id(reprocess);
    v1::ReprocessResponse response;
    const grpc::Status status = stub->Reprocess(&context, request, &response);
    if (!status.ok()) {
      return ReportError("quarantine", status);
    }
    std::printf("{\"seq\":%llu,\"duplicate\":%s}\n",
                static_cast<unsigned long long>(response.seq()),
                response.duplicate() ? "true" : "false");
    return 0;
  }
  v1::ListQuarantinedRequest request;
  request.set_page_size(1000);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    v1::ListQuarantinedResponse response;
    const grpc::Status status =
        stub->ListQuarantined(&context, request, &response);
    if (!status.ok()) {
      return ReportError("quarantine", status);
    }
    for (const v1::QuarantinedEvent& entry : response.events()) {
      std::printf("%s\n", ToJsonLine(entry).c_str());
    }
    if (response.next_page_token().empty()) {
      return 0;
    }
    request.set_page_token(response.next_page_token());
  }
}

}  // namespace vouchstream::cli

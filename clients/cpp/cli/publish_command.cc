// `vouchstream-cli publish [--server=HOST:PORT] [--type=T] FILE`: sends a
// webhook body the way the gateway would (transcoded, then Publish) and
// prints {"seq":N,"duplicate":bool}. Without --type, FILE is a v2024
// envelope; with it, a bare body of that type.

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "transcode/transcoder.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/flags.h"
#include "clients/cpp/cli/grpc_flags.h"

namespace vouchstream::cli {

int PublishCommand(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr,
                 "publish: takes one FILE, not %zu arguments (see "
                 "vouchstream-cli publish --help)\n",
                 args.size());
    return 2;
  }
  const absl::StatusOr<std::string> type = SingleTypeFlag("publish");
  if (!type.ok()) {
    std::fprintf(stderr, "%s\n", std::string{type.status().message()}.c_str());
    return 2;
  }
  const std::string& path = args.front();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "publish: cannot read \"%s\"\n", path.c_str());
    return 1;
  }
  const std::string body(std::istreambuf_iterator<char>(in), {});

  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = type->empty()
                                        ? transcoder.FromEnvelope(body)
                                        : transcoder.FromBody(*type, body);
  if (!event.ok()) {
    std::fprintf(stderr, "publish: %s\n", event.status().ToString().c_str());
    return 1;
  }
  v1::PublishRequest request;
  *request.mutable_event() = *std::move(event);
  request.mutable_event()->mutable_ingress()->set_path(path);
  v1::PublishResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  const grpc::Status status = MakeStub(absl::GetFlag(FLAGS_server))
                                  ->Publish(&context, request, &response);
  if (!status.ok()) {
    return ReportError("publish", status);
  }
  std::printf("{\"seq\":%llu,\"duplicate\":%s}\n",
              static_cast<unsigned long long>(response.seq()),
              response.duplicate() ? "true" : "false");
  return 0;
}

}  // namespace vouchstream::cli

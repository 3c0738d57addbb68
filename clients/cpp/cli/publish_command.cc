// `vouchstream-cli publish [--server=HOST:PORT] [--type=T] FILE`: sends a
// webhook body the way the gateway would (transcoded, then Publish) and
// prints {"seq":N,"duplicate":bool}. Without --type, FILE is a v2024
// envelope; with it, a bare body of that type.

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "transcode/transcoder.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/grpc_flags.h"

namespace vouchstream::cli {

int PublishCommand(const std::vector<std::string>& args) {
  std::string server = kDefaultServer;
  std::string type;
  std::string path;
  for (const std::string& arg : args) {
    if (absl::StartsWith(arg, "--server=")) {
      server = arg.substr(9);
    } else if (absl::StartsWith(arg, "--type=")) {
      type = arg.substr(7);
    } else if (path.empty() && !absl::StartsWith(arg, "--")) {
      path = arg;
    } else {
      std::fprintf(stderr,
                   "publish: unknown argument \"%s\"\n"
                   "usage: vouchstream-cli publish [--server=HOST:PORT] "
                   "[--type=T] FILE\n",
                   arg.c_str());
      return 2;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: vouchstream-cli publish [--type=T] FILE\n");
    return 2;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "publish: cannot read \"%s\"\n", path.c_str());
    return 1;
  }
  const std::string body(std::istreambuf_iterator<char>(in), {});

  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = type.empty()
                                        ? transcoder.FromEnvelope(body)
                                        : transcoder.FromBody(type, body);
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
  const grpc::Status status =
      MakeStub(server)->Publish(&context, request, &response);
  if (!status.ok()) {
    return ReportError("publish", status);
  }
  std::printf("{\"seq\":%llu,\"duplicate\":%s}\n",
              static_cast<unsigned long long>(response.seq()),
              response.duplicate() ? "true" : "false");
  return 0;
}

}  // namespace vouchstream::cli

// `vouchstream-cli transcode [--type=T] < BODY.json`: prints the Event a
// webhook body transcodes to, as JSON with proto field names. Without
// --type the body is a v2024 envelope; with it, a bare body of that type.

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "transcode/transcoder.h"

#include "clients/cpp/cli/command.h"

namespace vouchstream::cli {

int TranscodeCommand(const std::vector<std::string>& args) {
  std::string type;
  for (const std::string& arg : args) {
    if (absl::StartsWith(arg, "--type=")) {
      type = arg.substr(std::string("--type=").size());
    } else {
      std::fprintf(stderr,
                   "transcode: unknown argument \"%s\"\n"
                   "usage: vouchstream-cli transcode [--type=T] < BODY.json\n",
                   arg.c_str());
      return 2;
    }
  }
  const std::string body(std::istreambuf_iterator<char>(std::cin), {});

  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = type.empty()
                                        ? transcoder.FromEnvelope(body)
                                        : transcoder.FromBody(type, body);
  if (!event.ok()) {
    std::fprintf(stderr, "transcode: %s\n", event.status().ToString().c_str());
    return 1;
  }
  // The raw body is the input itself; printing it again as base64 only
  // hides the typed fields.
  event->clear_raw();
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(*event, &json, options);
  if (!status.ok()) {
    std::fprintf(stderr, "transcode: cannot print: %s\n",
                 status.ToString().c_str());
    return 1;
  }
  std::fwrite(json.data(), 1, json.size(), stdout);
  return 0;
}

}  // namespace vouchstream::cli

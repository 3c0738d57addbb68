// `vouchstream-cli transcode [--type=T] < BODY.json`: prints the Event a
// webhook body transcodes to, as JSON with proto field names. Without
// --type the body is a v2024 envelope; with it, a bare body of that type.

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "transcode/json_printer.h"
#include "transcode/transcoder.h"

#include "clients/cpp/cli/command.h"
#include "clients/cpp/cli/flags.h"

namespace vouchstream::cli {

int TranscodeCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr,
                 "transcode: unexpected argument \"%s\" (the body comes on "
                 "stdin)\n",
                 args.front().c_str());
    return 2;
  }
  const absl::StatusOr<std::string> type = SingleTypeFlag("transcode");
  if (!type.ok()) {
    std::fprintf(stderr, "%s\n", std::string{type.status().message()}.c_str());
    return 2;
  }
  const std::string body(std::istreambuf_iterator<char>(std::cin), {});

  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = type->empty()
                                        ? transcoder.FromEnvelope(body)
                                        : transcoder.FromBody(*type, body);
  if (!event.ok()) {
    std::fprintf(stderr, "transcode: %s\n", event.status().ToString().c_str());
    return 1;
  }
  // The raw body is the input itself; printing it again as base64 only
  // hides the typed fields.
  event->clear_raw();
  transcode::JsonPrinter printer(
      {/*preserve_proto_field_names=*/true, /*add_whitespace=*/true});
  std::string json;
  const absl::Status status = printer.Print(*event, &json);
  if (!status.ok()) {
    std::fprintf(stderr, "transcode: cannot print: %s\n",
                 status.ToString().c_str());
    return 1;
  }
  std::fwrite(json.data(), 1, json.size(), stdout);
  return 0;
}

}  // namespace vouchstream::cli

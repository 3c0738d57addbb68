// libFuzzer target for the proto -> JSON printer: arbitrary bytes as
// serialized messages and as webhook JSON through the transcoder, printed by
// transcode::JsonPrinter and by MessageToJsonString, checked against the
// properties in json_printer_property.h. An input that once failed goes to
// tests/fuzz/regressions/json_printer/, which regressions_test.cc replays in
// every run.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/json_printer_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* const transcoder = new vouchstream::transcode::Transcoder();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::string violation =
      vouchstream::testing::JsonPrinterPropertyViolation(*transcoder, bytes);
  if (!violation.empty()) {
    std::fprintf(stderr, "property violated: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}

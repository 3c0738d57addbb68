// libFuzzer target for the gateway's request handling: arbitrary bytes as
// what a client writes on a connection, parsed by Beast with the session's
// limits and handled by the gateway's transport-free logic, checked against
// the properties in http_request_property.h. An input that once failed goes
// to tests/fuzz/regressions/http_request/, which regressions_test.cc
// replays.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/http_request_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* const transcoder = new vouchstream::transcode::Transcoder();
  const std::string violation =
      vouchstream::testing::HttpRequestPropertyViolation(
          *transcoder, {reinterpret_cast<const char*>(data), size});
  if (!violation.empty()) {
    std::fprintf(stderr, "property violated: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}

// libFuzzer target for the service's validator: arbitrary bytes as a
// webhook envelope, a bare publication.succeeded body and a serialized
// Event, checked against the properties in validator_property.h. An input
// that once failed goes to tests/fuzz/regressions/validator/, which
// regressions_test.cc replays.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/validator_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* const transcoder = new vouchstream::transcode::Transcoder();
  const std::string violation =
      vouchstream::testing::ValidatorPropertyViolation(
          *transcoder, {reinterpret_cast<const char*>(data), size});
  if (!violation.empty()) {
    std::fprintf(stderr, "property violated: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}

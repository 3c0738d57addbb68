// libFuzzer target for the JSON -> proto transcoder: arbitrary bytes as a
// webhook envelope and as a bare publication.succeeded body, checked against
// the properties in transcoder_property.h. An input that once failed goes to
// tests/fuzz/regressions/, which regressions_test.cc replays in every run.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/transcoder_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* const transcoder = new vouchstream::transcode::Transcoder();
  const std::string body(reinterpret_cast<const char*>(data), size);
  const std::string violation =
      vouchstream::testing::TranscoderPropertyViolation(*transcoder, body);
  if (!violation.empty()) {
    std::fprintf(stderr, "property violated: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}

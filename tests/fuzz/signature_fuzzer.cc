// libFuzzer target for the webhook signature check: arbitrary bytes as a
// body (and a header value cut from it), checked against the properties in
// signature_property.h. An input that once failed goes to
// tests/fuzz/regressions/signature/, which regressions_test.cc replays.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/signature_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string violation =
      vouchstream::testing::SignaturePropertyViolation(
          {reinterpret_cast<const char*>(data), size});
  if (!violation.empty()) {
    std::fprintf(stderr, "property violated: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}

// Replays every input the fuzzers once failed on, in every ordinary test
// run, so a fixed bug stays fixed: tests/fuzz/regressions/<target>/ holds
// the inputs of <target>_fuzzer, checked against the same properties.
// scripts/fuzz_smoke.sh says how to add a crasher here.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

#include "tests/fuzz/http_request_property.h"
#include "tests/fuzz/json_printer_property.h"
#include "tests/fuzz/signature_property.h"
#include "tests/fuzz/transcoder_property.h"
#include "tests/fuzz/validator_property.h"

namespace vouchstream::testing {
namespace {

// Calls `property` on every file of regressions/<target>/ and expects ""
// from each; at least one input must be there.
void ReplayAll(const std::string& target,
               const std::function<std::string(const std::string&)>& property) {
  const std::filesystem::path dir =
      std::filesystem::path(VS_FUZZ_REGRESSIONS_DIR) / target;
  int replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream input;
    input << in.rdbuf();
    EXPECT_EQ(property(input.str()), "") << entry.path();
    ++replayed;
  }
  EXPECT_GT(replayed, 0) << "no inputs in " << dir;
  std::printf("replayed %d recorded inputs of %s_fuzzer\n", replayed,
              target.c_str());
}

TEST(FuzzRegressionsTest, TranscoderPropertiesHoldForEveryRecordedInput) {
  transcode::Transcoder transcoder;
  ReplayAll("transcoder", [&](const std::string& input) {
    return TranscoderPropertyViolation(transcoder, input);
  });
}

TEST(FuzzRegressionsTest, SignaturePropertiesHoldForEveryRecordedInput) {
  ReplayAll("signature", [](const std::string& input) {
    return SignaturePropertyViolation(input);
  });
}

TEST(FuzzRegressionsTest, ValidatorPropertiesHoldForEveryRecordedInput) {
  transcode::Transcoder transcoder;
  ReplayAll("validator", [&](const std::string& input) {
    return ValidatorPropertyViolation(transcoder, input);
  });
}

TEST(FuzzRegressionsTest, HttpRequestPropertiesHoldForEveryRecordedInput) {
  transcode::Transcoder transcoder;
  ReplayAll("http_request", [&](const std::string& input) {
    return HttpRequestPropertyViolation(transcoder, input);
  });
}

TEST(FuzzRegressionsTest, JsonPrinterPropertiesHoldForEveryRecordedInput) {
  transcode::Transcoder transcoder;
  ReplayAll("json_printer", [&](const std::string& input) {
    return JsonPrinterPropertyViolation(transcoder, input);
  });
}

}  // namespace
}  // namespace vouchstream::testing

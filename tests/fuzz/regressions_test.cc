// Replays every input the fuzzers once failed on (tests/fuzz/regressions/),
// in every ordinary test run, so a fixed bug stays fixed.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

#include "tests/fuzz/transcoder_property.h"

namespace vouchstream::testing {
namespace {

TEST(FuzzRegressionsTest, TranscoderPropertiesHoldForEveryRecordedInput) {
  gateway::Transcoder transcoder;
  int replayed = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(VS_FUZZ_REGRESSIONS_DIR)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    EXPECT_EQ(TranscoderPropertyViolation(transcoder, body.str()), "")
        << entry.path();
    ++replayed;
  }
  EXPECT_GT(replayed, 0) << "no inputs in " << VS_FUZZ_REGRESSIONS_DIR;
}

}  // namespace
}  // namespace vouchstream::testing

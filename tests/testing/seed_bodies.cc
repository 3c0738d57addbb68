#include "tests/testing/seed_bodies.h"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vouchstream::testing {

std::string Contract(absl::string_view name) {
  std::ifstream in(absl::StrCat(VS_TESTDATA_DIR, "/", name));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const std::string& SeedBody() {
  static const std::string* const kBody = [] {
    auto* body = new std::string(Contract("publication.succeeded.seed.json"));
    if (!absl::StrContains(*body, kSeedPublicationId)) {
      std::abort();
    }
    return body;
  }();
  return *kBody;
}

std::string UniqueSeed(absl::string_view prefix) {
  static std::atomic<int> counter{0};
  const std::string id = absl::StrCat(prefix, absl::ToUnixMicros(absl::Now()),
                                      "n", counter.fetch_add(1));
  return absl::StrReplaceAll(SeedBody(), {{kSeedPublicationId, id}});
}

}  // namespace vouchstream::testing

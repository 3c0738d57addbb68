#include "tests/testing/fixture_events.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "transcode/transcoder.h"

namespace vouchstream::testing {
namespace {

std::string EventsDir() { return std::string(VS_TESTDATA_DIR) + "/events"; }

}  // namespace

std::vector<std::string> FixtureEventTypes() {
  std::vector<std::string> types;
  for (const auto& entry : std::filesystem::directory_iterator(EventsDir())) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, ".json")) {
      types.push_back(name.substr(0, name.size() - 5));
    }
  }
  std::sort(types.begin(), types.end());
  return types;
}

std::string FixtureTestName(const ::testing::TestParamInfo<std::string>& info) {
  return absl::StrReplaceAll(info.param, {{".", "_"}});
}

absl::StatusOr<v1::Event> FixtureEvent(const std::string& type) {
  std::ifstream in(absl::StrCat(EventsDir(), "/", type, ".json"),
                   std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("no fixture for ", type));
  }
  std::stringstream body;
  body << in.rdbuf();
  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> event = transcoder.FromBody(type, body.str());
  if (event.ok()) {
    event->mutable_received_at()->set_seconds(1767323045);
  }
  return event;
}

}  // namespace vouchstream::testing

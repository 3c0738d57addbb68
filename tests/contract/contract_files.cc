#include "tests/contract/contract_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::testing {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

absl::StatusOr<std::string> ReadContractFile(absl::string_view name) {
  return ReadFile(absl::StrCat(VS_TESTDATA_DIR, "/", name));
}

absl::StatusOr<std::string> ReadTestdata(absl::string_view name) {
  return ReadFile(absl::StrCat(VS_TESTDATA_DIR, "/variants/", name));
}

std::vector<std::string> ListTestdata() {
  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(VS_TESTDATA_DIR "/variants")) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, ".json")) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace vouchstream::testing

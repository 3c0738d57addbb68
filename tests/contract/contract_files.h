#pragma once
// Locates the payloads contract tests run over: Voucherify's samples in
// shared/contract (beside the repository) and our fixtures in testdata/.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::testing {

// The contents of shared/contract/`name`.
absl::StatusOr<std::string> ReadContractFile(absl::string_view name);

// The contents of tests/contract/testdata/`name`.
absl::StatusOr<std::string> ReadTestdata(absl::string_view name);

// The names of the *.json files in tests/contract/testdata, sorted.
std::vector<std::string> ListTestdata();

}  // namespace vouchstream::testing

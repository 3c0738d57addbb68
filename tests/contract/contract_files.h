#pragma once
// Locates the payloads contract tests run over, all in testdata/voucherify/:
// Voucherify's own samples at its top and our variants of them in variants/.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::testing {

// The contents of testdata/voucherify/`name`.
absl::StatusOr<std::string> ReadContractFile(absl::string_view name);

// The contents of testdata/voucherify/variants/`name`.
absl::StatusOr<std::string> ReadTestdata(absl::string_view name);

// The names of the *.json files in testdata/voucherify/variants, sorted.
std::vector<std::string> ListTestdata();

}  // namespace vouchstream::testing

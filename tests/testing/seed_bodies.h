#pragma once
// Webhook bodies for tests that go through the gateway, from Voucherify's
// sample payloads in testdata/voucherify (VS_TESTDATA_DIR).
//
//   const std::string body = UniqueSeed("pub_e2e");  // never a duplicate
//
// Thread-safe.

#include <string>

#include "absl/strings/string_view.h"

namespace vouchstream::testing {

// The publication id inside publication.succeeded.seed.json.
inline constexpr absl::string_view kSeedPublicationId =
    "pub_r0413bLwExpB6LE0v286eNVmEpx6NxmP";

// The seed body (publication.succeeded.seed.json), read once; aborts when
// it cannot be read or lacks `kSeedPublicationId` (no such test can run).
const std::string& SeedBody();

// The contract file `name` (empty when it cannot be read).
std::string Contract(absl::string_view name);

// The seed body with a publication id of its own (`prefix`, the time and a
// counter), so that tests don't deduplicate against each other.
std::string UniqueSeed(absl::string_view prefix);

}  // namespace vouchstream::testing

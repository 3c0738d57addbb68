#pragma once
// Page tokens of the List calls: opaque to callers, they carry the last
// position read (a seq for ListEvents, a quarantine id for
// ListQuarantined), versioned and web-safe base64'd so that nobody is
// tempted to build them by hand.
//
//   response.set_next_page_token(MakePageToken(last_seq));
//   absl::StatusOr<uint64_t> after = ParsePageToken("page_token", token);
//
// Thread-safe: free functions.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::app {

// The token that continues after `position`.
std::string MakePageToken(uint64_t position);

// The position `token` continues after; 0 for an empty token (the first
// page). kInvalidArgument naming `field` for anything MakePageToken did not
// make.
absl::StatusOr<uint64_t> ParsePageToken(absl::string_view field,
                                        absl::string_view token);

}  // namespace vouchstream::app

#pragma once
// Named subscriber cursors: which names a caller may use and
// the name each is stored under. With access control every principal has
// its own names ("<principal>/<consumer>"), so one principal cannot move
// another's cursor; without it the name is stored as given.
//
//   absl::StatusOr<std::string> key = CursorKey(principal, request.consumer());
//   if (!key.ok()) { return key.status(); }  // INVALID_ARGUMENT, BadRequest
//   log->SetCursor(*key, request.seq());

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "service/auth/principal.h"

namespace vouchstream::app {

// The store key of cursor `consumer` for `principal` (nullptr: no access
// control). kInvalidArgument with a google.rpc.BadRequest naming `field`
// unless `consumer` is 1 to 128 of [A-Za-z0-9._-].
absl::StatusOr<std::string> CursorKey(const auth::Principal* principal,
                                      absl::string_view consumer,
                                      absl::string_view field = "consumer");

}  // namespace vouchstream::app

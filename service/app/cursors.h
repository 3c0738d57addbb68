#pragma once
// Named subscriber cursors: save, read, and resume a Subscribe after one.
// With access control each principal has names of its own
// (cursor_names.h); telemetry is told where each consumer is, and of
// failed saves.
//
//   Cursors cursors(log, /*per_principal=*/true, telemetry);
//   absl::Status saved = cursors.Save(*principal, "billing", 42);
//
// The calls read or write the store: run them off gRPC's threads.
// Thread-safe: const, over a thread-safe log.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "service/auth/principal.h"
#include "service/core/event_log.h"
#include "service/core/telemetry.h"

namespace vouchstream::app {

class Cursors {
 public:
  // `per_principal`: names are the principal's own (access control on).
  // Pointers must outlive the Cursors.
  Cursors(core::EventLog* log, bool per_principal,
          core::Telemetry* telemetry = core::Telemetry::None())
      : log_(log), per_principal_(per_principal), telemetry_(telemetry) {}

  // Saves `principal`'s cursor `consumer` at `seq`. kInvalidArgument (with
  // a google.rpc.BadRequest) for a bad name or a seq past the log's end.
  absl::Status Save(const auth::Principal& principal,
                    absl::string_view consumer, uint64_t seq) const;

  // `principal`'s cursor `consumer`; kNotFound when never saved.
  absl::StatusOr<uint64_t> Get(const auth::Principal& principal,
                               absl::string_view consumer) const;

  // Where a Subscribe of consumer `consumer` resumes: after the saved seq,
  // or nullopt when the cursor was never saved. Tells telemetry.
  absl::StatusOr<std::optional<uint64_t>> Resume(
      const auth::Principal& principal, absl::string_view consumer) const;

 private:
  absl::StatusOr<std::string> KeyFor(const auth::Principal& principal,
                                     absl::string_view consumer) const;
  // Tells telemetry that the consumer of cursor key `key` is at `seq`.
  void Report(absl::string_view key, uint64_t seq) const;

  core::EventLog* const log_;
  const bool per_principal_;
  core::Telemetry* const telemetry_;
};

}  // namespace vouchstream::app

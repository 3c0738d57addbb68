#pragma once
// The read calls: one event by seq or id, a filtered page of the log, a
// page of the quarantine. Each is narrowed to the caller's scope and
// redacted for it: an event outside the scope is answered as one that does
// not exist, so that a scope does not reveal what lies outside it. Pages
// continue with opaque tokens (page_token.h).
//
//   Reads reads(log, {});
//   absl::StatusOr<v1::Event> event = reads.GetEvent(*principal, request);
//
// The calls read the store and may wait on the disk: run them off gRPC's
// threads (the worker pool). Thread-safe: const, over a thread-safe log.

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/auth/principal.h"
#include "service/core/event_log.h"

namespace vouchstream::app {

class Reads {
 public:
  // Defaults:
  //   default_page_size  100 (ListEvents, ListQuarantined)
  //   max_page_size      1000
  //   max_scan           10,000 events read per ListEvents call; a selective
  //                      filter then returns a short page with a token to
  //                      continue from
  struct Options {
    int default_page_size = 100;
    int max_page_size = 1000;
    size_t max_scan = 10000;
  };

  // `log` must outlive the Reads.
  Reads(core::EventLog* log, const Options& options)
      : log_(log), options_(options) {}

  // The event `request` names, redacted for `principal`. kInvalidArgument
  // without a key; kNotFound when there is none in its scope.
  absl::StatusOr<v1::Event> GetEvent(const auth::Principal& principal,
                                     const v1::GetEventRequest& request) const;

  // A page of the events after `after_seq` or the page token that
  // `request.filter`, narrowed to `principal`'s scope, matches; redacted.
  // kPermissionDenied for a filter outside the scope (logged);
  // kInvalidArgument for a bad filter or page token.
  absl::Status ListEvents(const auth::Principal& principal,
                          const v1::ListEventsRequest& request,
                          v1::ListEventsResponse* response) const;

  // A page of the quarantine, oldest first, redacted for `principal`.
  // kInvalidArgument for a bad page token.
  absl::Status ListQuarantined(const auth::Principal& principal,
                               const v1::ListQuarantinedRequest& request,
                               v1::ListQuarantinedResponse* response) const;

 private:
  size_t PageSize(int requested) const;

  core::EventLog* const log_;
  const Options options_;
};

}  // namespace vouchstream::app

#pragma once
// Turns a Voucherify webhook body into a `vouchstream.v1.Event`: parses the
// JSON with simdjson and fills the typed messages with one descriptor-driven
// walker (see json_to_message.h), so the contract in proto/ is the only
// place that knows Voucherify's field names.
//
// Two inputs are accepted:
//   FromEnvelope: a v2024-01-01 envelope {id, project_id, created_at, type,
//     data, source, event}. The type is `event.type` when present (for
//     distribution webhooks `type` is a free-text name), else `type`.
//   FromBody: a bare event body, the type given by the caller (the HTTP path).
// A body of a type the contract types (the `(vouchstream.v1.event_type)`
// option of a payload field, see event_types.h) becomes that typed payload,
// e.g. `redemption.succeeded` -> `redemption_succeeded`; every other type is
// kept as `data` (a google.protobuf.Struct). So is a body that does not fit
// its type's message, except for publication.succeeded, which is refused
// with the error (it has been typed from the start).
// The raw bytes always go into `Event.raw`, and every JSON path the contract
// does not know into `Event.unknown_fields`. A value the contract cannot type
// (a string where it has a boolean, an enum name it lacks, ...) is no reason
// to refuse: it is left out of the typed payload and its path and reason go
// to `Event.odd_values` (the walker's kKeepAsUnknown mode, message_filler.h).
//
// `id` and `id_rule` (see event.proto): the envelope's `event.id`, else its
// `id`; for a bare body the id it names for its type (the payload field's
// `(vouchstream.v1.event_id_path)`, e.g. `redemption.id`), else the
// content hash. The log keys events on (type, id), so types that name the
// same object (customer.created, customer.deleted: `customer.id`) do not
// collide.
//
// The result has `id`, `id_rule`, `type`, `envelope` (for envelopes),
// `payload`, `raw` and `unknown_fields` set; `seq`, `received_at`, `ingress`
// and `enrichment` are for later stages.
//
// Errors are kInvalidArgument with the JSON path or byte offset of the
// problem, only for bodies that cannot be read: malformed JSON (or nested
// deeper than `max_depth`), a root or envelope `data` that is not an object,
// an envelope that names no valid event type.
//
// Thread-compatible: a Transcoder owns its parser buffers, so use one per
// thread. Construction is cheap.

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "vouchstream/v1/event.pb.h"

namespace vouchstream::transcode {

class Transcoder {
 public:
  struct Options {
    // Deepest JSON nesting accepted; deeper input is refused before any
    // recursion (a 10,000-level nest is an error, not a stack overflow).
    int max_depth = 64;
  };

  Transcoder() : Transcoder(Options()) {}
  explicit Transcoder(const Options& options);
  ~Transcoder();
  Transcoder(const Transcoder&) = delete;
  Transcoder& operator=(const Transcoder&) = delete;

  absl::StatusOr<v1::Event> FromEnvelope(absl::string_view body);
  absl::StatusOr<v1::Event> FromBody(absl::string_view type,
                                     absl::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouchstream::transcode

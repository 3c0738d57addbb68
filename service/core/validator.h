#pragma once
// Checks an event against vouchstream's rules before it is stored: a bare
// webhook body's shape against its type (body_shape.h), the envelope's ids
// and times, the rules of Voucherify's objects wherever they occur in a
// typed body of any family (object_rules.h: id prefixes, emails, creation
// times, non-negative amounts and balances, order totals against items),
// and the required fields and cross-field consistency of
// `publication.succeeded`. The event and publication rules live in one
// table (validator.cc), each with its field path and reason. Things real
// data does (codes that miss their campaign's code_config, `user: null`,
// unknown fields, odd values) are not violations; the Enricher flags them.
//
// Thread-safe: a Validator is immutable after construction.

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

namespace vouchstream::core {

class Validator {
 public:
  struct Options {
    // Timestamps later than `received_at` + this are "in the future".
    absl::Duration max_clock_skew = absl::Minutes(10);
    // Timestamps before this are not sane (Voucherify did not exist).
    absl::Time earliest = absl::FromUnixSeconds(1388534400);  // 2014-01-01
  };

  Validator() : Validator(Options()) {}
  explicit Validator(const Options& options);

  // Every rule `event` breaks, in table order; empty when valid. `event`
  // must have `received_at` set (the reference for "in the future").
  std::vector<v1::FieldViolation> Check(const v1::Event& event) const;

  // OK, or kInvalidArgument naming the first violation, with all of them
  // attached as a google.rpc.BadRequest payload (see bad_request.h).
  absl::Status Validate(const v1::Event& event) const;

  // The rules an event must keep to be kept at all, even in quarantine: a
  // `type` that is empty (Check reports it) or well-formed
  // (common/event_type.h; the type becomes part of store keys and NATS
  // subjects). OK, or kInvalidArgument naming `type` with a
  // google.rpc.BadRequest payload; the caller then stores nothing.
  static absl::Status Admit(const v1::Event& event);

 private:
  Options options_;
};

}  // namespace vouchstream::core

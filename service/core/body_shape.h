#pragma once
// Whether a bare event body has its type's shape. A bare body's type comes
// from the URL it was posted to, which Voucherify's signature does not cover:
// a signed body re-posted under another type must not become an event of
// that type. Each typed payload field names, in the contract, the top-level
// object that marks its bodies (the `identifying_field` option, e.g.
// `redemption` for `redemption.succeeded`); a bare body without it is not of
// that type. Envelopes are not checked: their type is inside the signed
// bytes, and what Voucherify sends in one is never refused for its shape.
//
// Thread-safe: a pure function.

#include <optional>

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

namespace vouchstream::core {

// The violation of a bare body (no `envelope`) that lacks its type's
// identifying object, whether it was typed or kept as `data`: e.g. field
// "redemption", description "a bare redemption.succeeded body must carry its
// identifying object `redemption` ..."; nullopt otherwise (envelopes, types
// the contract does not type or that declare no identifying object, and
// bodies that have it).
std::optional<v1::FieldViolation> CheckBareBodyShape(const v1::Event& event);

}  // namespace vouchstream::core

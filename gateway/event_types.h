#pragma once
// Which Voucherify event types the contract types in full, and where their
// typed payload lives in `vouchstream.v1.Event`. Every other type is carried
// as `Event.data` (google.protobuf.Struct).

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace vouchstream::gateway {

// The `Event.payload` oneof member for `type`, or nullptr when the type is
// not typed yet.
const google::protobuf::FieldDescriptor* TypedPayloadField(
    absl::string_view type);

// Whether `type` is a well-formed event type name: dot-separated words of
// lower-case letters, digits, `_` and `-`, e.g. "publication.succeeded".
bool IsValidEventType(absl::string_view type);

}  // namespace vouchstream::gateway

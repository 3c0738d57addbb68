#pragma once
// Which Voucherify event types the contract types in full, and where their
// typed payload lives in `vouchstream.v1.Event`. Every other type is carried
// as `Event.data` (google.protobuf.Struct).

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

#include "common/event_type.h"

namespace vouchstream::gateway {

// The `Event.payload` oneof member for `type`, or nullptr when the type is
// not typed yet.
const google::protobuf::FieldDescriptor* TypedPayloadField(
    absl::string_view type);

// Whether `type` is a well-formed event type name. The rule is shared with
// the server, so it lives in common/event_type.h; this name stays for the
// gateway's callers.
using ::vouchstream::common::IsValidEventType;

}  // namespace vouchstream::gateway

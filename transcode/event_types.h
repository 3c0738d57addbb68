#pragma once
// Which Voucherify event types the contract types, and where their typed
// payload lives in `vouchstream.v1.Event`. The mapping is read once from the
// descriptors: each `Event.payload` field but `data` names its type string
// in the `(vouchstream.v1.event_type)` option (proto/vouchstream/v1/
// options.proto). Every other type is carried as `Event.data`
// (google.protobuf.Struct).
//
// Thread-safe: the mapping is built once, on first use, and never changes.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

#include "common/event_type.h"

namespace vouchstream::transcode {

// The `Event.payload` oneof member for `type`, or nullptr when the type is
// not typed.
const google::protobuf::FieldDescriptor* TypedPayloadField(
    absl::string_view type);

// Every type string the contract types, in no particular order.
std::vector<std::string> TypedEventTypes();

// The `(vouchstream.v1.event_id_path)` of a payload field, e.g.
// "redemption.id": where a bare body of that type names the id of the event
// itself. Empty when the type's body names none.
absl::string_view EventIdPath(const google::protobuf::FieldDescriptor& field);

// Whether `type` is a well-formed event type name. The rule is shared with
// the server, so it lives in common/event_type.h; this name stays for the
// gateway's callers.
using ::vouchstream::common::IsValidEventType;

}  // namespace vouchstream::transcode

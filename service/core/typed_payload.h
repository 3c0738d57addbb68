#pragma once
// Generic access to an event's typed body, for code that reads any event
// type the same way (filters, enrichment of types without their own rules).
// The contract types an event in one `Event.payload` member per type (see
// proto/vouchstream/v1/event.proto); these helpers find it by reflection so
// that no caller lists the members.
//
// Thread-safe: pure functions.

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"

#include "vouchstream/v1/event.pb.h"

namespace vouchstream::core {

// The message set in `event.payload` when the event is typed (any member but
// `data`), else nullptr.
const google::protobuf::Message* TypedPayload(const v1::Event& event);

// `body` as the JSON object the proto3 JSON mapping gives it (proto field
// names, enums by name, timestamps as RFC 3339 strings, numbers as numbers),
// so that code written for untyped bodies (`Event.data`) reads a typed body
// the same way. Unset fields are absent.
google::protobuf::Struct TypedPayloadAsStruct(
    const google::protobuf::Message& body);

}  // namespace vouchstream::core

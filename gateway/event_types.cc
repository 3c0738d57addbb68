#include "gateway/event_types.h"

#include <array>

#include "absl/strings/ascii.h"

#include "vouchstream/v1/event.pb.h"

namespace vouchstream::gateway {

const google::protobuf::FieldDescriptor* TypedPayloadField(
    absl::string_view type) {
  // One row per typed event; add a row when proto/ types another event.
  struct Row {
    absl::string_view type;
    int field_number;
  };
  static constexpr std::array<Row, 1> kTyped = {{
      {"publication.succeeded", v1::Event::kPublicationSucceededFieldNumber},
  }};
  for (const Row& row : kTyped) {
    if (row.type == type) {
      return v1::Event::descriptor()->FindFieldByNumber(row.field_number);
    }
  }
  return nullptr;
}

}  // namespace vouchstream::gateway

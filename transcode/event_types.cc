#include "transcode/event_types.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"

#include "vouchstream/v1/event.pb.h"
#include "vouchstream/v1/options.pb.h"

namespace vouchstream::transcode {

namespace {

using google::protobuf::FieldDescriptor;

using TypeMap = absl::flat_hash_map<std::string, const FieldDescriptor*>;

// type string -> payload field, from the `event_type` options. A duplicate
// type string is a broken contract (tests/contract guards it): the process
// would route one type's bodies at random, so it stops instead.
const TypeMap& TypedFields() {
  static const TypeMap* const kFields = [] {
    auto* fields = new TypeMap();
    const google::protobuf::OneofDescriptor& payload =
        *v1::Event::descriptor()->FindOneofByName("payload");
    for (int i = 0; i < payload.field_count(); ++i) {
      const FieldDescriptor* field = payload.field(i);
      const std::string& type = field->options().GetExtension(v1::event_type);
      if (type.empty()) {
        continue;  // `data`
      }
      if (!fields->emplace(type, field).second) {
        std::fprintf(stderr, "event_types: \"%s\" names two payload fields\n",
                     type.c_str());
        std::abort();
      }
    }
    return fields;
  }();
  return *kFields;
}

}  // namespace

const FieldDescriptor* TypedPayloadField(absl::string_view type) {
  const TypeMap& fields = TypedFields();
  auto it = fields.find(type);
  return it == fields.end() ? nullptr : it->second;
}

std::vector<std::string> TypedEventTypes() {
  std::vector<std::string> types;
  for (const auto& [type, field] : TypedFields()) {
    types.push_back(type);
  }
  return types;
}

absl::string_view EventIdPath(const FieldDescriptor& field) {
  return field.options().GetExtension(v1::event_id_path);
}

}  // namespace vouchstream::transcode

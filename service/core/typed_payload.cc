#include "service/core/typed_payload.h"

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace vouchstream::core {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::ListValue;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::Struct;
using google::protobuf::Value;
using google::protobuf::util::TimeUtil;

void MessageToValue(const Message& message, Value* out);

// Element `index` of `field` (or the singular field when `index` < 0).
void FieldToValue(const Message& message, const FieldDescriptor& field,
                  int index, Value* out) {
  const Reflection& r = *message.GetReflection();
  const bool rep = index >= 0;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      out->set_number_value(rep ? r.GetRepeatedInt32(message, &field, index)
                                : r.GetInt32(message, &field));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      out->set_number_value(
          static_cast<double>(rep ? r.GetRepeatedInt64(message, &field, index)
                                  : r.GetInt64(message, &field)));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      out->set_number_value(rep ? r.GetRepeatedUInt32(message, &field, index)
                                : r.GetUInt32(message, &field));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      out->set_number_value(
          static_cast<double>(rep ? r.GetRepeatedUInt64(message, &field, index)
                                  : r.GetUInt64(message, &field)));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      out->set_number_value(rep ? r.GetRepeatedDouble(message, &field, index)
                                : r.GetDouble(message, &field));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      out->set_number_value(rep ? r.GetRepeatedFloat(message, &field, index)
                                : r.GetFloat(message, &field));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->set_bool_value(rep ? r.GetRepeatedBool(message, &field, index)
                              : r.GetBool(message, &field));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      out->set_string_value((rep ? r.GetRepeatedEnum(message, &field, index)
                                 : r.GetEnum(message, &field))
                                ->name());
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      out->set_string_value(rep ? r.GetRepeatedString(message, &field, index)
                                : r.GetString(message, &field));
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      MessageToValue(rep ? r.GetRepeatedMessage(message, &field, index)
                         : r.GetMessage(message, &field),
                     out);
      break;
  }
}

// A map field: its entries as one object keyed by the entry keys.
void MapToValue(const Message& message, const FieldDescriptor& field,
                Value* out) {
  const Reflection& r = *message.GetReflection();
  Struct& object = *out->mutable_struct_value();
  const int size = r.FieldSize(message, &field);
  for (int i = 0; i < size; ++i) {
    const Message& entry = r.GetRepeatedMessage(message, &field, i);
    const FieldDescriptor& key = *entry.GetDescriptor()->map_key();
    Value key_value;
    FieldToValue(entry, key, -1, &key_value);
    std::string name =
        key_value.has_string_value()
            ? key_value.string_value()
            : std::to_string(static_cast<int64_t>(key_value.number_value()));
    FieldToValue(entry, *entry.GetDescriptor()->map_value(), -1,
                 &(*object.mutable_fields())[name]);
  }
}

void MessageToValue(const Message& message, Value* out) {
  const Descriptor& type = *message.GetDescriptor();
  const std::string& name = type.full_name();
  // Generated and dynamic messages alike: copy through the wire format
  // rather than a downcast, which only holds for generated ones.
  if (name == Struct::descriptor()->full_name()) {
    out->mutable_struct_value()->ParseFromString(message.SerializeAsString());
    return;
  }
  if (name == Value::descriptor()->full_name()) {
    out->ParseFromString(message.SerializeAsString());
    return;
  }
  if (name == ListValue::descriptor()->full_name()) {
    out->mutable_list_value()->ParseFromString(message.SerializeAsString());
    return;
  }
  if (name == google::protobuf::Timestamp::descriptor()->full_name()) {
    google::protobuf::Timestamp ts;
    ts.ParseFromString(message.SerializeAsString());
    out->set_string_value(TimeUtil::ToString(ts));
    return;
  }
  if (name == google::protobuf::Duration::descriptor()->full_name()) {
    google::protobuf::Duration duration;
    duration.ParseFromString(message.SerializeAsString());
    out->set_string_value(TimeUtil::ToString(duration));
    return;
  }
  Struct& object = *out->mutable_struct_value();
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    Value& slot = (*object.mutable_fields())[field->name()];
    if (field->is_map()) {
      MapToValue(message, *field, &slot);
    } else if (field->is_repeated()) {
      ListValue& list = *slot.mutable_list_value();
      const int size = message.GetReflection()->FieldSize(message, field);
      for (int i = 0; i < size; ++i) {
        FieldToValue(message, *field, i, list.add_values());
      }
    } else {
      FieldToValue(message, *field, -1, &slot);
    }
  }
}

}  // namespace

const Message* TypedPayload(const v1::Event& event) {
  static const google::protobuf::OneofDescriptor* const kPayload =
      v1::Event::descriptor()->FindOneofByName("payload");
  const FieldDescriptor* field =
      v1::Event::GetReflection()->GetOneofFieldDescriptor(event, kPayload);
  if (field == nullptr || field->number() == v1::Event::kDataFieldNumber) {
    return nullptr;
  }
  return &v1::Event::GetReflection()->GetMessage(event, field);
}

Struct TypedPayloadAsStruct(const Message& body) {
  Value value;
  MessageToValue(body, &value);
  Struct out;
  out.Swap(value.mutable_struct_value());
  return out;
}

}  // namespace vouchstream::core

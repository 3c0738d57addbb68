#include "service/core/body_path.h"

#include <algorithm>

#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"

namespace vouchstream::core {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::ListValue;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;

using Segments = std::vector<std::string>;

bool Walk(const Message& message, const Segments& path, size_t at,
          absl::FunctionRef<bool(const BodyValue&)> visit);

// A JSON value of an untyped body: objects go on down the path, lists are
// crossed, strings are reported at the end of the path.
bool WalkValue(const Value& value, const Segments& path, size_t at,
               absl::FunctionRef<bool(const BodyValue&)> visit) {
  switch (value.kind_case()) {
    case Value::kStructValue:
      return Walk(value.struct_value(), path, at, visit);
    case Value::kListValue:
      for (const Value& item : value.list_value().values()) {
        if (!WalkValue(item, path, at, visit)) {
          return false;
        }
      }
      return true;
    case Value::kStringValue:
      return at < path.size() || visit({nullptr, &value.string_value()});
    default:
      return true;
  }
}

// One field of a typed message: sub-messages go on down the path (each
// element of a repeated one), strings are reported at the end of the path.
bool WalkField(const Message& message, const FieldDescriptor& field,
               const Segments& path, size_t at,
               absl::FunctionRef<bool(const BodyValue&)> visit) {
  const Reflection& r = *message.GetReflection();
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    if (!field.is_repeated()) {
      return !r.HasField(message, &field) ||
             Walk(r.GetMessage(message, &field), path, at, visit);
    }
    for (int i = 0; i < r.FieldSize(message, &field); ++i) {
      if (!Walk(r.GetRepeatedMessage(message, &field, i), path, at, visit)) {
        return false;
      }
    }
    return true;
  }
  if (field.cpp_type() != FieldDescriptor::CPPTYPE_STRING || at < path.size()) {
    return true;
  }
  std::string scratch;
  if (!field.is_repeated()) {
    if (!r.HasField(message, &field) && field.has_presence()) {
      return true;
    }
    const std::string& value = r.GetStringReference(message, &field, &scratch);
    return visit({nullptr, &value});
  }
  for (int i = 0; i < r.FieldSize(message, &field); ++i) {
    if (!visit({nullptr,
                &r.GetRepeatedStringReference(message, &field, i, &scratch)})) {
      return false;
    }
  }
  return true;
}

bool Walk(const Message& message, const Segments& path, size_t at,
          absl::FunctionRef<bool(const BodyValue&)> visit) {
  // One descriptor lookup: most messages on a path are typed objects.
  static const google::protobuf::Descriptor* const kValue = Value::descriptor();
  static const google::protobuf::Descriptor* const kList =
      ListValue::descriptor();
  static const google::protobuf::Descriptor* const kStruct =
      Struct::descriptor();
  const google::protobuf::Descriptor* type = message.GetDescriptor();
  if (type == kValue) {
    if (const auto* value = AsGenerated<Value>(&message)) {
      return WalkValue(*value, path, at, visit);
    }
  }
  if (type == kList) {
    if (const auto* list = AsGenerated<ListValue>(&message)) {
      return std::all_of(
          list->values().begin(), list->values().end(),
          [&](const Value& item) { return WalkValue(item, path, at, visit); });
    }
  }
  if (at == path.size()) {
    return visit({&message, nullptr});
  }
  if (type == kStruct) {
    if (const auto* object = AsGenerated<Struct>(&message)) {
      auto it = object->fields().find(path[at]);
      return it == object->fields().end() ||
             WalkValue(it->second, path, at + 1, visit);
    }
  }
  const FieldDescriptor* field = type->FindFieldByName(path[at]);
  return field == nullptr || WalkField(message, *field, path, at + 1, visit);
}

}  // namespace

const Message* EventBody(const v1::Event& event) {
  static const google::protobuf::OneofDescriptor* const kPayload =
      v1::Event::descriptor()->FindOneofByName("payload");
  const FieldDescriptor* field =
      v1::Event::GetReflection()->GetOneofFieldDescriptor(event, kPayload);
  return field == nullptr
             ? nullptr
             : &v1::Event::GetReflection()->GetMessage(event, field);
}

BodyPath::BodyPath(absl::string_view dotted) {
  if (!dotted.empty()) {
    segments_ = absl::StrSplit(dotted, '.');
  }
}

void ForEachAt(const Message& body, const BodyPath& path,
               absl::FunctionRef<bool(const BodyValue&)> visit) {
  Walk(body, path.segments(), 0, visit);
}

void ForEachAt(const Message& body, absl::string_view path,
               absl::FunctionRef<bool(const BodyValue&)> visit) {
  ForEachAt(body, BodyPath(path), visit);
}

std::string FirstStringAt(const Message& body, const BodyPath& path) {
  std::string found;
  ForEachAt(body, path, [&found](const BodyValue& value) {
    if (value.string != nullptr && !value.string->empty()) {
      found = *value.string;
      return false;
    }
    return true;
  });
  return found;
}

std::string FirstStringAt(const Message& body, absl::string_view path) {
  return FirstStringAt(body, BodyPath(path));
}

std::vector<const Message*> ObjectsAt(const Message& body,
                                      const BodyPath& path) {
  std::vector<const Message*> out;
  ForEachAt(body, path, [&out](const BodyValue& value) {
    if (value.object != nullptr) {
      out.push_back(value.object);
    }
    return true;
  });
  return out;
}

std::vector<const Message*> ObjectsAt(const Message& body,
                                      absl::string_view path) {
  return ObjectsAt(body, BodyPath(path));
}

}  // namespace vouchstream::core

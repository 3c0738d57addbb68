#include "service/auth/redactor.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/struct.pb.h"

namespace vouchstream::auth {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::Struct;
using google::protobuf::Value;
using Path = std::vector<std::string>;

void RedactStruct(const Path& path, size_t at, Struct* object);

// `value` reached at `path[at - 1]`; continues into objects and lists.
void RedactValue(const Path& path, size_t at, Value* value) {
  if (value->has_struct_value()) {
    RedactStruct(path, at, value->mutable_struct_value());
  } else if (value->has_list_value()) {
    for (Value& element : *value->mutable_list_value()->mutable_values()) {
      RedactValue(path, at, &element);
    }
  }
}

void RedactStruct(const Path& path, size_t at, Struct* object) {
  auto* fields = object->mutable_fields();
  auto it = fields->find(path[at]);
  if (it == fields->end()) {
    return;
  }
  if (at + 1 == path.size()) {
    fields->erase(it);
    return;
  }
  RedactValue(path, at + 1, &it->second);
}

// By JSON name first (what users see on the wire), then by proto name.
const FieldDescriptor* FindField(const Descriptor& type,
                                 const std::string& name) {
  for (int i = 0; i < type.field_count(); ++i) {
    if (type.field(i)->json_name() == name) {
      return type.field(i);
    }
  }
  return type.FindFieldByName(name);
}

void RedactMessage(const Path& path, size_t at, Message* message) {
  const Descriptor& type = *message->GetDescriptor();
  if (type.full_name() == Struct::descriptor()->full_name()) {
    RedactStruct(path, at, static_cast<Struct*>(message));
    return;
  }
  const FieldDescriptor* field = FindField(type, path[at]);
  if (field == nullptr) {
    return;
  }
  const Reflection& reflection = *message->GetReflection();
  if (at + 1 == path.size()) {
    reflection.ClearField(message, field);
    return;
  }
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return;  // A scalar has no fields below it.
  }
  if (field->is_repeated()) {
    const int size = reflection.FieldSize(*message, field);
    for (int i = 0; i < size; ++i) {
      RedactMessage(path, at + 1,
                    reflection.MutableRepeatedMessage(message, field, i));
    }
  } else if (reflection.HasField(*message, field)) {
    RedactMessage(path, at + 1, reflection.MutableMessage(message, field));
  }
}

}  // namespace

absl::StatusOr<Redactor> Redactor::Create(
    const std::vector<std::string>& paths) {
  Redactor redactor;
  for (const std::string& path : paths) {
    Path segments = absl::StrSplit(path, '.');
    for (const std::string& segment : segments) {
      if (segment.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "redact: \"", path, "\" has an empty segment (want a.b.c)"));
      }
    }
    redactor.paths_.push_back(std::move(segments));
  }
  return redactor;
}

void Redactor::Apply(v1::Event* event) const {
  if (paths_.empty()) {
    return;
  }
  // The raw body holds every field in clear; there is no cheap way to redact
  // JSON text faithfully, so it goes.
  event->clear_raw();
  // Whichever payload member is set: a typed body or `data` (RedactMessage
  // handles a Struct too).
  static const google::protobuf::OneofDescriptor* const kPayload =
      v1::Event::descriptor()->FindOneofByName("payload");
  const FieldDescriptor* payload =
      v1::Event::GetReflection()->GetOneofFieldDescriptor(*event, kPayload);
  for (const Path& path : paths_) {
    if (payload != nullptr) {
      RedactMessage(path, 0,
                    v1::Event::GetReflection()->MutableMessage(event, payload));
    }
    if (event->has_envelope() && event->envelope().has_data()) {
      RedactStruct(path, 0, event->mutable_envelope()->mutable_data());
    }
  }
}

}  // namespace vouchstream::auth

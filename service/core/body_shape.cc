#include "service/core/body_shape.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

#include "vouchstream/v1/options.pb.h"

namespace vouchstream::core {
namespace {

// Event type -> the identifying object its payload field declares, built
// once from the contract's `event_type` and `identifying_field` options.
const absl::flat_hash_map<std::string, std::string>& IdentifyingObjects() {
  static const auto* const kObjects = [] {
    auto* objects = new absl::flat_hash_map<std::string, std::string>();
    const google::protobuf::OneofDescriptor* payload =
        v1::Event::descriptor()->FindOneofByName("payload");
    for (int i = 0; i < payload->field_count(); ++i) {
      const google::protobuf::FieldOptions& options =
          payload->field(i)->options();
      const std::string& type = options.GetExtension(v1::event_type);
      const std::string& key = options.GetExtension(v1::identifying_field);
      if (!type.empty() && !key.empty()) {
        objects->emplace(type, key);
      }
    }
    return objects;
  }();
  return *kObjects;
}

// Whether `key` is a present (non-null) member of `body`.
bool Carries(const v1::Event& event, const std::string& key) {
  if (event.has_data()) {
    const auto member = event.data().fields().find(key);
    return member != event.data().fields().end() &&
           !member->second.has_null_value();
  }
  const google::protobuf::Reflection* reflection = event.GetReflection();
  const google::protobuf::FieldDescriptor* payload =
      reflection->GetOneofFieldDescriptor(
          event, v1::Event::descriptor()->FindOneofByName("payload"));
  if (payload == nullptr) {
    return false;
  }
  const google::protobuf::Message& body =
      reflection->GetMessage(event, payload);
  const google::protobuf::FieldDescriptor* object =
      body.GetDescriptor()->FindFieldByName(key);
  if (object == nullptr) {
    return false;
  }
  const google::protobuf::Reflection* body_reflection = body.GetReflection();
  return object->is_repeated() ? body_reflection->FieldSize(body, object) > 0
                               : body_reflection->HasField(body, object);
}

}  // namespace

std::optional<v1::FieldViolation> CheckBareBodyShape(const v1::Event& event) {
  if (event.has_envelope()) {
    return std::nullopt;
  }
  const auto& objects = IdentifyingObjects();
  const auto wanted = objects.find(event.type());
  if (wanted == objects.end() || Carries(event, wanted->second)) {
    return std::nullopt;
  }
  v1::FieldViolation violation;
  violation.set_field(wanted->second);
  violation.set_description(absl::StrCat(
      "a bare ", event.type(), " body must carry its identifying object `",
      wanted->second,
      "`: this body lacks it, so it is not of the type its URL names (the "
      "signature does not cover the URL)"));
  return violation;
}

}  // namespace vouchstream::core

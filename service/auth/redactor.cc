#include "service/auth/redactor.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/struct.pb.h"

#include "service/auth/derivations.h"
#include "service/auth/pii_fields.h"

namespace vouchstream::auth {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::Struct;
using google::protobuf::Value;

void RedactStruct(const PathTree& tree, Struct* object);

// A value reached by a path that goes on: continues into objects and lists.
void RedactValue(const PathTree& tree, Value* value) {
  if (value->has_struct_value()) {
    RedactStruct(tree, value->mutable_struct_value());
  } else if (value->has_list_value()) {
    for (Value& element : *value->mutable_list_value()->mutable_values()) {
      RedactValue(tree, &element);
    }
  }
}

void RedactStruct(const PathTree& tree, Struct* object) {
  auto* fields = object->mutable_fields();
  for (const auto& [key, below] : tree.children()) {
    auto it = fields->find(key);
    if (it == fields->end()) {
      continue;
    }
    if (below.leaf()) {
      fields->erase(it);
    } else {
      RedactValue(below, &it->second);
    }
  }
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

void RedactMessage(const PathTree& tree, Message* message) {
  const Descriptor& type = *message->GetDescriptor();
  if (&type == Struct::descriptor()) {
    RedactStruct(tree, static_cast<Struct*>(message));
    return;
  }
  if (&type == Value::descriptor()) {
    RedactValue(tree, static_cast<Value*>(message));
    return;
  }
  const Reflection& reflection = *message->GetReflection();
  for (const auto& [name, below] : tree.children()) {
    const FieldDescriptor* field = FindField(type, name);
    if (field == nullptr) {
      continue;
    }
    if (below.leaf()) {
      reflection.ClearField(message, field);
    } else if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;  // A scalar has no fields below it.
    } else if (field->is_repeated()) {
      const int size = reflection.FieldSize(*message, field);
      for (int i = 0; i < size; ++i) {
        RedactMessage(below,
                      reflection.MutableRepeatedMessage(message, field, i));
      }
    } else if (reflection.HasField(*message, field)) {
      RedactMessage(below, reflection.MutableMessage(message, field));
    }
  }
}

// Clears every field marked pii in `message`, at any depth.
void ClearPii(Message* message) {
  if (!HoldsPii(*message->GetDescriptor())) {
    return;
  }
  const Reflection& reflection = *message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (IsPii(*field)) {
      reflection.ClearField(message, field);
    } else if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
               !HoldsPii(*field->message_type())) {
      continue;
    } else if (field->is_repeated()) {
      const int size = reflection.FieldSize(*message, field);
      for (int i = 0; i < size; ++i) {
        ClearPii(reflection.MutableRepeatedMessage(message, field, i));
      }
    } else {
      ClearPii(reflection.MutableMessage(message, field));
    }
  }
}

bool Overlap(const Path& a, const Path& b) {
  return Covers(a, b) || Covers(b, a);
}

}  // namespace

absl::StatusOr<Redactor> Redactor::Create(
    const std::vector<std::string>& paths) {
  if (paths.empty()) {
    return Redactor();
  }
  auto state = std::make_shared<State>();
  for (const std::string& path : paths) {
    if (path == kPii) {
      state->pii = true;
      continue;
    }
    Path segments = SplitPath(path);
    for (const std::string& segment : segments) {
      if (segment.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "redact: \"", path, "\" has an empty segment (want a.b.c or \"",
            kPii, "\")"));
      }
    }
    state->typed.Add(segments);
    state->untyped.Add(segments);
    state->body.emplace_back(std::move(segments), path);
  }
  if (state->pii) {
    for (const Path& path : PiiBodyPaths()) {
      state->untyped.Add(path);
      state->body.emplace_back(path,
                               absl::StrCat(kPii, " (", JoinPath(path), ")"));
    }
  }
  for (const Derivation& derivation : EnrichmentDerivations()) {
    for (const auto& [path, named] : state->body) {
      if (HidesSource(derivation, path)) {
        state->enrichment.Add(derivation.field);
        state->cleared.emplace_back(derivation.field, named);
        break;
      }
    }
  }
  Redactor redactor;
  redactor.state_ = std::move(state);
  return redactor;
}

void Redactor::Apply(v1::Event* event) const {
  if (state_ == nullptr) {
    return;
  }
  const State& state = *state_;
  // The raw body holds every field in clear; there is no cheap way to redact
  // JSON text faithfully, so it goes.
  event->clear_raw();
  // Whichever payload member is set: a typed body or `data` (RedactMessage
  // handles a Struct too).
  static const google::protobuf::OneofDescriptor* const kPayload =
      v1::Event::descriptor()->FindOneofByName("payload");
  const Reflection& reflection = *v1::Event::GetReflection();
  if (const FieldDescriptor* payload =
          reflection.GetOneofFieldDescriptor(*event, kPayload)) {
    Message* body = reflection.MutableMessage(event, payload);
    if (body->GetDescriptor() == Struct::descriptor()) {
      RedactStruct(state.untyped, static_cast<Struct*>(body));
    } else {
      RedactMessage(state.typed, body);
      if (state.pii) {
        ClearPii(body);
      }
    }
  }
  if (event->has_envelope()) {
    if (event->envelope().has_data()) {
      RedactStruct(state.untyped, event->mutable_envelope()->mutable_data());
    }
    if (state.pii) {
      ClearPii(event->mutable_envelope());
    }
  }
  if (event->has_enrichment() && !state.enrichment.empty()) {
    RedactMessage(state.enrichment, event->mutable_enrichment());
  }
}

std::optional<std::string> Redactor::Hides(const Path& path) const {
  if (state_ == nullptr || path.empty()) {
    return std::nullopt;
  }
  const std::vector<std::pair<Path, std::string>>* list = nullptr;
  if (path.front() == "payload") {
    list = &state_->body;
  } else if (path.front() == "enrichment") {
    list = &state_->cleared;
  } else {
    return std::nullopt;
  }
  const Path rest(path.begin() + 1, path.end());
  for (const auto& [hidden, named] : *list) {
    if (Overlap(hidden, rest)) {
      return named;
    }
  }
  return std::nullopt;
}

}  // namespace vouchstream::auth

#include "transcode/json_printer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "transcode/json_values.h"

namespace vouchstream::transcode {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

// How a message type prints.
enum class Shape {
  kObject,     // an ordinary message: {"field": value, ...}
  kTimestamp,  // "2024-02-01T12:54:33.174Z"
  kDuration,   // "1.5s"
  kWrapper,    // its `value` field, even when default
  kStruct,     // its `fields` map as the object
  kValue,      // its set kind; nothing when no kind is set
  kListValue,  // its `values` as the array
  kAny,        // {"@type": URL, ...}
  kFieldMask,  // "a.b,c"
};

Shape ShapeOf(const Descriptor* descriptor) {
  if (!absl::StartsWith(descriptor->file()->name(), "google/protobuf/")) {
    return Shape::kObject;
  }
  static constexpr std::array<std::pair<absl::string_view, Shape>, 16> kKnown =
      {{
          {"google.protobuf.Timestamp", Shape::kTimestamp},
          {"google.protobuf.Duration", Shape::kDuration},
          {"google.protobuf.Struct", Shape::kStruct},
          {"google.protobuf.Value", Shape::kValue},
          {"google.protobuf.ListValue", Shape::kListValue},
          {"google.protobuf.Any", Shape::kAny},
          {"google.protobuf.FieldMask", Shape::kFieldMask},
          {"google.protobuf.DoubleValue", Shape::kWrapper},
          {"google.protobuf.FloatValue", Shape::kWrapper},
          {"google.protobuf.Int64Value", Shape::kWrapper},
          {"google.protobuf.UInt64Value", Shape::kWrapper},
          {"google.protobuf.Int32Value", Shape::kWrapper},
          {"google.protobuf.UInt32Value", Shape::kWrapper},
          {"google.protobuf.BoolValue", Shape::kWrapper},
          {"google.protobuf.StringValue", Shape::kWrapper},
          {"google.protobuf.BytesValue", Shape::kWrapper},
      }};
  for (const auto& [name, shape] : kKnown) {
    if (descriptor->full_name() == name) {
      return shape;
    }
  }
  return Shape::kObject;
}

constexpr int kMaxDepth = 64;  // 3.21's ProtoStreamObjectSource limit
constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

}  // namespace

struct JsonPrinter::MessagePlan {
  struct Field {
    const FieldDescriptor* field;
    std::string key;  // `"name":`, with a space after when add_whitespace
  };
  Shape shape = Shape::kObject;
  std::vector<Field> fields;  // by field number, as serialization orders
};

// One Print call: the output, the options and the nesting depth.
class JsonPrinter::Walk {
 public:
  Walk(JsonPrinter& printer, std::string& out)
      : printer_(printer),
        out_(out),
        whitespace_(printer.options_.add_whitespace) {}

  absl::Status Root(const Message& message) {
    return MessageValue(message, printer_.PlanFor(message.GetDescriptor()),
                        /*level=*/0);
  }

 private:
  // A container being written: its level and whether anything is in it.
  struct Container {
    int level;
    bool empty = true;
  };

  void NewLine(int level) {
    if (whitespace_) {
      out_.push_back('\n');
      out_.append(static_cast<size_t>(level), ' ');
    }
  }

  // Before a member or element of `container`.
  void Separate(Container& container) {
    if (!container.empty) {
      out_.push_back(',');
    }
    container.empty = false;
    NewLine(container.level);
  }

  void Close(const Container& container, char bracket) {
    if (!container.empty) {
      NewLine(container.level - 1);
    }
    out_.push_back(bracket);
  }

  void Key(absl::string_view name) {
    AppendJsonQuoted(name, &out_);
    out_.push_back(':');
    if (whitespace_) {
      out_.push_back(' ');
    }
  }

  // Whether `message`, of type `type`, prints as nothing: a Value with no
  // kind set. Types come from field descriptors rather than from the
  // messages: Message::GetDescriptor() costs a call_once each time.
  bool PrintsNothing(const Message& message, const Descriptor* type) {
    const MessagePlan& plan = printer_.PlanFor(type);
    if (plan.shape != Shape::kValue) {
      return false;
    }
    const Reflection& reflection = *message.GetReflection();
    return std::none_of(plan.fields.begin(), plan.fields.end(),
                        [&](const MessagePlan::Field& field) {
                          return reflection.HasField(message, field.field);
                        });
  }

  // `message` as a value at `level` (the level of the container it is in).
  absl::Status MessageValue(const Message& message, const MessagePlan& plan,
                            int level) {
    switch (plan.shape) {
      case Shape::kObject:
        return Object(message, plan, level);
      case Shape::kTimestamp:
      case Shape::kDuration:
        return Time(message, plan);
      case Shape::kWrapper:
        return Singular(message, plan.fields.front().field, level);
      case Shape::kStruct:
        return Map(message, plan.fields.front().field, level);
      case Shape::kValue:
        return Kind(message, plan, level);
      case Shape::kListValue:
        return Repeated(message, plan.fields.front().field, level);
      case Shape::kAny:
        return Any(message, level);
      case Shape::kFieldMask:
        return FieldMask(message);
    }
    return absl::OkStatus();
  }

  absl::Status Object(const Message& message, const MessagePlan& plan,
                      int level) {
    Container container{level + 1};
    out_.push_back('{');
    absl::Status status = Members(message, plan, container);
    if (!status.ok()) {
      return status;
    }
    Close(container, '}');
    return absl::OkStatus();
  }

  // The present fields of `message` as members of `container`.
  absl::Status Members(const Message& message, const MessagePlan& plan,
                       Container& container) {
    const Reflection& reflection = *message.GetReflection();
    for (const MessagePlan::Field& entry : plan.fields) {
      const FieldDescriptor* field = entry.field;
      if (field->is_repeated()) {
        if (reflection.FieldSize(message, field) == 0) {
          continue;
        }
      } else if (!reflection.HasField(message, field) ||
                 (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                  PrintsNothing(reflection.GetMessage(message, field),
                                field->message_type()))) {
        continue;
      }
      Separate(container);
      out_.append(entry.key);
      absl::Status status = FieldValue(message, field, container.level);
      if (!status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }

  absl::Status FieldValue(const Message& message, const FieldDescriptor* field,
                          int level) {
    if (field->is_map()) {
      return Map(message, field, level);
    }
    if (field->is_repeated()) {
      return Repeated(message, field, level);
    }
    return Singular(message, field, level);
  }

  absl::Status Singular(const Message& message, const FieldDescriptor* field,
                        int level) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return Nested(message.GetReflection()->GetMessage(message, field),
                    printer_.PlanFor(field->message_type()), level);
    }
    Scalar(message, field, -1);
    return absl::OkStatus();
  }

  // A message inside another: ordinary ones count towards the depth limit.
  absl::Status Nested(const Message& message, const MessagePlan& plan,
                      int level) {
    if (plan.shape != Shape::kObject) {
      return MessageValue(message, plan, level);
    }
    if (++depth_ > kMaxDepth) {
      return absl::InvalidArgumentError(
          absl::StrCat("message too deep: more than ", kMaxDepth, " levels at ",
                       message.GetDescriptor()->full_name()));
    }
    absl::Status status = MessageValue(message, plan, level);
    --depth_;
    return status;
  }

  absl::Status Repeated(const Message& message, const FieldDescriptor* field,
                        int level) {
    const Reflection& reflection = *message.GetReflection();
    const int size = reflection.FieldSize(message, field);
    Container container{level + 1};
    out_.push_back('[');
    for (int i = 0; i < size; ++i) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        Separate(container);
        Scalar(message, field, i);
        continue;
      }
      const Message& element = reflection.GetRepeatedMessage(message, field, i);
      if (PrintsNothing(element, field->message_type())) {
        continue;
      }
      Separate(container);
      absl::Status status = Nested(
          element, printer_.PlanFor(field->message_type()), container.level);
      if (!status.ok()) {
        return status;
      }
    }
    Close(container, ']');
    return absl::OkStatus();
  }

  // A map field as an object, in the order 3.21's serialization, and so
  // MessageToJsonString, writes the entries: the map's own iteration order,
  // which depends on the map instance. Struct, the map most events carry,
  // is read through its generated class, which iterates the map itself.
  // Other maps have no public reflection API that iterates the map (MapBegin
  // is private in 3.21); their repeated-field view lists the entries in map
  // order when it is built from the map, as it is for a parsed message (what
  // the CLI prints), but keeps its own order once the message was filled
  // through that view or copied, and then differs from 3.21 in order only.
  absl::Status Map(const Message& message, const FieldDescriptor* field,
                   int level) {
    const auto* as_struct =
        google::protobuf::DynamicCastToGenerated<google::protobuf::Struct>(
            &message);
    if (as_struct != nullptr) {
      return StructFields(
          *as_struct,
          printer_.PlanFor(field->message_type()->map_value()->message_type()),
          level);
    }
    const Reflection& reflection = *message.GetReflection();
    const int size = reflection.FieldSize(message, field);
    const FieldDescriptor* key = field->message_type()->map_key();
    const FieldDescriptor* value = field->message_type()->map_value();
    const bool message_value =
        value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    Container container{level + 1};
    out_.push_back('{');
    for (int i = 0; i < size; ++i) {
      const Message& entry = reflection.GetRepeatedMessage(message, field, i);
      const Reflection& entry_reflection = *entry.GetReflection();
      if (message_value &&
          PrintsNothing(entry_reflection.GetMessage(entry, value),
                        value->message_type())) {
        continue;
      }
      Separate(container);
      MapKey(entry, key);
      absl::Status status = Singular(entry, value, container.level);
      if (!status.ok()) {
        return status;
      }
    }
    Close(container, '}');
    return absl::OkStatus();
  }

  absl::Status StructFields(const google::protobuf::Struct& message,
                            const MessagePlan& value_plan, int level) {
    Container container{level + 1};
    out_.push_back('{');
    for (const auto& [name, value] : message.fields()) {
      if (value.kind_case() == google::protobuf::Value::KIND_NOT_SET) {
        continue;
      }
      Separate(container);
      Key(name);
      absl::Status status = MessageValue(value, value_plan, container.level);
      if (!status.ok()) {
        return status;
      }
    }
    Close(container, '}');
    return absl::OkStatus();
  }

  // A map key: strings as they are, bools and integers as their text.
  void MapKey(const Message& entry, const FieldDescriptor* key) {
    const Reflection& r = *entry.GetReflection();
    switch (key->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        Key(r.GetStringReference(entry, key, &scratch));
        return;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        Key(r.GetBool(entry, key) ? "true" : "false");
        return;
      case FieldDescriptor::CPPTYPE_INT32:
        Key(absl::AlphaNum(r.GetInt32(entry, key)).Piece());
        return;
      case FieldDescriptor::CPPTYPE_UINT32:
        Key(absl::AlphaNum(r.GetUInt32(entry, key)).Piece());
        return;
      case FieldDescriptor::CPPTYPE_INT64:
        Key(absl::AlphaNum(r.GetInt64(entry, key)).Piece());
        return;
      default:
        Key(absl::AlphaNum(r.GetUInt64(entry, key)).Piece());
        return;
    }
  }

  template <typename Integer>
  void Quoted(Integer value) {
    absl::StrAppend(&out_, "\"", value, "\"");
  }

  // The non-message value of `field` (element `index` when repeated, else
  // -1).
  void Scalar(const Message& message, const FieldDescriptor* field, int index) {
    const Reflection& r = *message.GetReflection();
    const bool one = index < 0;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        absl::StrAppend(&out_, one ? r.GetInt32(message, field)
                                   : r.GetRepeatedInt32(message, field, index));
        return;
      case FieldDescriptor::CPPTYPE_UINT32:
        absl::StrAppend(&out_,
                        one ? r.GetUInt32(message, field)
                            : r.GetRepeatedUInt32(message, field, index));
        return;
      case FieldDescriptor::CPPTYPE_INT64:
        Quoted(one ? r.GetInt64(message, field)
                   : r.GetRepeatedInt64(message, field, index));
        return;
      case FieldDescriptor::CPPTYPE_UINT64:
        Quoted(one ? r.GetUInt64(message, field)
                   : r.GetRepeatedUInt64(message, field, index));
        return;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        AppendJsonNumber(one ? r.GetDouble(message, field)
                             : r.GetRepeatedDouble(message, field, index),
                         /*is_float=*/false, &out_);
        return;
      case FieldDescriptor::CPPTYPE_FLOAT:
        AppendJsonNumber(one ? r.GetFloat(message, field)
                             : r.GetRepeatedFloat(message, field, index),
                         /*is_float=*/true, &out_);
        return;
      case FieldDescriptor::CPPTYPE_BOOL:
        out_.append((one ? r.GetBool(message, field)
                         : r.GetRepeatedBool(message, field, index))
                        ? "true"
                        : "false");
        return;
      default:
        TextScalar(message, field, index);
    }
  }

  // Enums, strings and bytes.
  void TextScalar(const Message& message, const FieldDescriptor* field,
                  int index) {
    const Reflection& r = *message.GetReflection();
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      const int number = index < 0
                             ? r.GetEnumValue(message, field)
                             : r.GetRepeatedEnumValue(message, field, index);
      Enum(field->enum_type(), number);
      return;
    }
    std::string scratch;
    Text(index < 0
             ? r.GetStringReference(message, field, &scratch)
             : r.GetRepeatedStringReference(message, field, index, &scratch),
         field);
  }

  // A string, or base64 for bytes.
  void Text(const std::string& text, const FieldDescriptor* field) {
    if (field->type() == FieldDescriptor::TYPE_BYTES) {
      AppendJsonBase64(text, &out_);
    } else {
      AppendJsonQuoted(text, &out_);
    }
  }

  void Enum(const google::protobuf::EnumDescriptor* type, int number) {
    if (type->full_name() == "google.protobuf.NullValue") {
      out_.append("null");
      return;
    }
    const google::protobuf::EnumValueDescriptor* value =
        type->FindValueByNumber(number);
    if (value == nullptr) {
      absl::StrAppend(&out_, number);
      return;
    }
    out_.push_back('"');
    out_.append(value->name());
    out_.push_back('"');
  }

  // Timestamp and Duration: plan.fields are seconds (1), then nanos (2).
  absl::Status Time(const Message& message, const MessagePlan& plan) {
    const Reflection& reflection = *message.GetReflection();
    const int64_t seconds = reflection.GetInt64(message, plan.fields[0].field);
    const int32_t nanos = reflection.GetInt32(message, plan.fields[1].field);
    return plan.shape == Shape::kTimestamp
               ? AppendJsonTimestamp(seconds, nanos, &out_)
               : AppendJsonDuration(seconds, nanos, &out_);
  }

  // A Value: the value of its set kind (NullValue prints null).
  absl::Status Kind(const Message& message, const MessagePlan& plan,
                    int level) {
    const Reflection& reflection = *message.GetReflection();
    for (const MessagePlan::Field& entry : plan.fields) {
      if (reflection.HasField(message, entry.field)) {
        return Singular(message, entry.field, level);
      }
    }
    return absl::OkStatus();
  }

  absl::Status Any(const Message& any, int level) {
    const Reflection& reflection = *any.GetReflection();
    const Descriptor* descriptor = any.GetDescriptor();
    std::string url_scratch;
    std::string value_scratch;
    const std::string& url = reflection.GetStringReference(
        any, descriptor->FindFieldByNumber(1), &url_scratch);
    const std::string& value = reflection.GetStringReference(
        any, descriptor->FindFieldByNumber(2), &value_scratch);
    Container container{level + 1};
    out_.push_back('{');
    if (value.empty()) {
      if (!url.empty()) {
        Separate(container);
        Key("@type");
        AppendJsonQuoted(url, &out_);
      }
      Close(container, '}');
      return absl::OkStatus();
    }
    absl::StatusOr<std::unique_ptr<Message>> packed =
        printer_.Unpack(*descriptor->file()->pool(), url, value);
    if (!packed.ok()) {
      return packed.status();
    }
    Separate(container);
    Key("@type");
    AppendJsonQuoted(url, &out_);
    absl::Status status = AnyContents(**packed, container);
    if (!status.ok()) {
      return status;
    }
    Close(container, '}');
    return absl::OkStatus();
  }

  // The packed message's fields, or a well-known type under "value".
  absl::Status AnyContents(const Message& packed, Container& container) {
    const MessagePlan& plan = printer_.PlanFor(packed.GetDescriptor());
    if (plan.shape == Shape::kObject) {
      return Members(packed, plan, container);
    }
    if (PrintsNothing(packed, packed.GetDescriptor())) {
      return absl::OkStatus();
    }
    Separate(container);
    Key("value");
    return MessageValue(packed, plan, container.level);
  }

  // FieldMask paths turn into lowerCamelCase by rules with corner cases
  // (quoted segments, capitals); no event carries one, so this is the one
  // place that asks protobuf itself, for this value alone.
  absl::Status FieldMask(const Message& message) {
    std::string json;
    const auto status =
        google::protobuf::util::MessageToJsonString(message, &json);
    if (!status.ok()) {
      return absl::InvalidArgumentError(status.ToString());
    }
    out_.append(json);
    return absl::OkStatus();
  }

  JsonPrinter& printer_;
  std::string& out_;
  const bool whitespace_;
  int depth_ = 0;
};

JsonPrinter::JsonPrinter(Options options) : options_(options) {}

JsonPrinter::~JsonPrinter() = default;

absl::Status JsonPrinter::Print(const Message& message, std::string* out) {
  const size_t start = out->size();
  Walk walk(*this, *out);
  absl::Status status = walk.Root(message);
  if (!status.ok()) {
    out->resize(start);
    return status;
  }
  // 3.21 ends a top-level object or array, not a scalar, with a newline.
  if (options_.add_whitespace && out->size() > start &&
      (out->back() == '}' || out->back() == ']')) {
    out->push_back('\n');
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> JsonPrinter::ToJson(const Message& message) {
  std::string out;
  absl::Status status = Print(message, &out);
  if (!status.ok()) {
    return status;
  }
  return out;
}

const JsonPrinter::MessagePlan& JsonPrinter::PlanFor(
    const Descriptor* descriptor) {
  std::unique_ptr<MessagePlan>& slot = plans_[descriptor];
  if (slot != nullptr) {
    return *slot;
  }
  slot = std::make_unique<MessagePlan>();
  slot->shape = ShapeOf(descriptor);
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    std::string key;
    AppendJsonQuoted(options_.preserve_proto_field_names ? field->name()
                                                         : field->json_name(),
                     &key);
    key.push_back(':');
    if (options_.add_whitespace) {
      key.push_back(' ');
    }
    slot->fields.push_back({field, std::move(key)});
  }
  std::sort(slot->fields.begin(), slot->fields.end(),
            [](const MessagePlan::Field& a, const MessagePlan::Field& b) {
              return a.field->number() < b.field->number();
            });
  return *slot;
}

absl::StatusOr<std::unique_ptr<Message>> JsonPrinter::Unpack(
    const google::protobuf::DescriptorPool& pool, const std::string& url,
    const std::string& value) {
  if (url.empty()) {
    return absl::InvalidArgumentError("Any has a value but no type URL");
  }
  if (!absl::StartsWith(url, kTypeUrlPrefix)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Any type URL \"", url, "\" does not start with ", kTypeUrlPrefix));
  }
  const Descriptor* type =
      pool.FindMessageTypeByName(url.substr(kTypeUrlPrefix.size()));
  if (type == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("Any type URL \"", url, "\" names an unknown type"));
  }
  const Message* prototype = nullptr;
  if (&pool == google::protobuf::DescriptorPool::generated_pool()) {
    prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(
            type);
  } else {
    if (dynamic_factory_ == nullptr) {
      dynamic_factory_ =
          std::make_unique<google::protobuf::DynamicMessageFactory>();
    }
    prototype = dynamic_factory_->GetPrototype(type);
  }
  std::unique_ptr<Message> packed(prototype->New());
  if (!packed->ParseFromString(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Any value of \"", url, "\" does not parse"));
  }
  return packed;
}

}  // namespace vouchstream::transcode

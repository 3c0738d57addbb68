#include "transcode/transcoder.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "transcode/event_types.h"
#include "transcode/json_document.h"
#include "transcode/json_path.h"
#include "transcode/message_filler.h"
#include "transcode/signature.h"
#include <openssl/evp.h>

namespace vouchstream::transcode {
namespace {

// "sha256:<hex>" of `body`'s canonical form (whitespace outside strings
// removed: the bytes the stripped signature covers): a stable id for bodies
// that carry none, so that a retry of the same body is still recognised as
// a duplicate however its whitespace was written.
std::string BodyDigestId(absl::string_view body) {
  const std::string canonical = StripJsonWhitespace(body);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest.data(), &length,
                 EVP_sha256(), nullptr) != 1) {
    // Only fails when OpenSSL cannot allocate; nothing sensible remains.
    std::abort();
  }
  return absl::StrCat(
      "sha256:", absl::BytesToHexString(absl::string_view(
                     reinterpret_cast<const char*>(digest.data()), length)));
}

const char* JsonKind(const simdjson::dom::element& value) {
  switch (value.type()) {
    case simdjson::dom::element_type::OBJECT:
      return "object";
    case simdjson::dom::element_type::ARRAY:
      return "array";
    case simdjson::dom::element_type::STRING:
      return "string";
    case simdjson::dom::element_type::BOOL:
      return "boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "number";
  }
}

// The id a typed body names for its type: the string at its payload field's
// `(event_id_path)` (e.g. "redemption.id"), or "" when the type declares
// none, the body was kept as `data`, or the path leads nowhere.
std::string BodyId(const v1::Event& event) {
  static const google::protobuf::OneofDescriptor* const kPayload =
      v1::Event::descriptor()->FindOneofByName("payload");
  const google::protobuf::Reflection& event_reflection =
      *v1::Event::GetReflection();
  const google::protobuf::FieldDescriptor* member =
      event_reflection.GetOneofFieldDescriptor(event, kPayload);
  if (member == nullptr) {
    return "";
  }
  const absl::string_view path = EventIdPath(*member);
  if (path.empty()) {
    return "";
  }
  const google::protobuf::Message* at =
      &event_reflection.GetMessage(event, member);
  for (absl::string_view step : absl::StrSplit(path, '.')) {
    const google::protobuf::FieldDescriptor* field =
        at->GetDescriptor()->FindFieldByName(static_cast<std::string>(step));
    if (field == nullptr || field->is_repeated() ||
        !at->GetReflection()->HasField(*at, field)) {
      return "";
    }
    if (field->cpp_type() ==
        google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
      // The last step (tests/contract checks every path ends on a string).
      return at->GetReflection()->GetString(*at, field);
    }
    if (field->cpp_type() !=
        google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      return "";
    }
    at = &at->GetReflection()->GetMessage(*at, field);
  }
  return "";
}

}  // namespace

struct Transcoder::Impl {
  explicit Impl(const Options& options)
      : document(options.max_depth),
        filler(MessageFiller::Options{
            /*odd_values=*/MessageFiller::OddValues::kKeepAsUnknown}) {}

  // Fills the payload oneof of `event` from `data`, typed when the contract
  // knows `type`, else as a Struct.
  //
  // A body that does not fit its type's message (Voucherify disagreeing with
  // its own schema, e.g. a string where the schema has an object) is typed
  // all the same: the walker keeps what does not fit as odd values
  // (DESIGN.md: type what fits, keep the rest), so nothing readable is
  // refused, for newly typed types as for publication.succeeded.
  absl::Status FillPayload(simdjson::dom::element data, absl::string_view type,
                           v1::Event& event) {
    const google::protobuf::FieldDescriptor* typed = TypedPayloadField(type);
    google::protobuf::Message& target =
        typed != nullptr
            ? *v1::Event::GetReflection()->MutableMessage(&event, typed)
            : *event.mutable_data();
    return filler.Fill(data, target, path, unknown);
  }

  void TakeUnknown(v1::Event& event) {
    for (std::string& field : unknown) {
      event.add_unknown_fields(std::move(field));
    }
    unknown.clear();
    for (MessageFiller::OddValue& odd : filler.TakeOddValues()) {
      v1::OddValue& out = *event.add_odd_values();
      out.set_path(std::move(odd.path));
      out.set_reason(std::move(odd.reason));
    }
  }

  JsonDocument document;
  MessageFiller filler;
  JsonPath path;
  std::vector<std::string> unknown;
};

Transcoder::Transcoder(const Options& options)
    : impl_(std::make_unique<Impl>(options)) {}

Transcoder::~Transcoder() = default;

absl::StatusOr<v1::Event> Transcoder::FromEnvelope(absl::string_view body) {
  absl::StatusOr<simdjson::dom::element> root = impl_->document.Parse(body);
  if (!root.ok()) {
    return root.status();
  }
  simdjson::dom::object object;
  if (root->get_object().get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("root: expected a JSON object (a webhook envelope), got ",
                     JsonKind(*root)));
  }
  v1::Event event;
  impl_->path.Clear();
  impl_->unknown.clear();
  impl_->filler.TakeOddValues();  // What a refused body may have left.
  impl_->filler.set_source(body);
  voucherify::v1::WebhookEnvelope& envelope = *event.mutable_envelope();
  absl::Status status =
      impl_->filler.Fill(*root, envelope, impl_->path, impl_->unknown, "data");
  if (!status.ok()) {
    return status;
  }

  // Distribution webhooks put a free-text name in `type`; `event.type` is
  // then the real one, and it always agrees for project webhooks.
  const bool from_event = !envelope.event().type().empty();
  const std::string& type =
      from_event ? envelope.event().type() : envelope.type();
  if (type.empty()) {
    return absl::InvalidArgumentError(
        "event.type: missing, and so is type: the envelope names no event "
        "type");
  }
  if (!IsValidEventType(type)) {
    return absl::InvalidArgumentError(
        absl::StrCat(from_event ? "event.type" : "type", ": \"",
                     absl::CHexEscape(type), "\" is not an event type"));
  }
  event.set_type(type);

  simdjson::dom::element data;
  if (object.at_key("data").get(data) != simdjson::SUCCESS || data.is_null()) {
    return absl::InvalidArgumentError(
        "data: missing: the envelope carries no event body");
  }
  if (!data.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data: expected an object (the event body), got ", JsonKind(data)));
  }
  impl_->path.PushKey("data");
  status = impl_->FillPayload(data, type, event);
  impl_->path.Pop();
  if (!status.ok()) {
    return status;
  }

  if (!envelope.event().id().empty()) {
    event.set_id(envelope.event().id());
    event.set_id_rule(v1::ID_RULE_ENVELOPE_EVENT_ID);
  } else if (!envelope.id().empty()) {
    event.set_id(envelope.id());
    event.set_id_rule(v1::ID_RULE_ENVELOPE_ID);
  } else {
    event.set_id(BodyDigestId(body));
    event.set_id_rule(v1::ID_RULE_CONTENT_HASH);
  }
  impl_->TakeUnknown(event);
  event.set_raw(body.data(), body.size());
  return event;
}

absl::StatusOr<v1::Event> Transcoder::FromBody(absl::string_view type,
                                               absl::string_view body) {
  if (!IsValidEventType(type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "type: \"", absl::CHexEscape(type), "\" is not an event type"));
  }
  absl::StatusOr<simdjson::dom::element> root = impl_->document.Parse(body);
  if (!root.ok()) {
    return root.status();
  }
  if (!root->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("root: expected a JSON object (the event body), got ",
                     JsonKind(*root)));
  }
  v1::Event event;
  event.set_type(std::string{type});
  impl_->path.Clear();
  impl_->unknown.clear();
  impl_->filler.TakeOddValues();  // What a refused body may have left.
  impl_->filler.set_source(body);
  absl::Status status = impl_->FillPayload(*root, type, event);
  if (!status.ok()) {
    return status;
  }
  std::string body_id = BodyId(event);
  if (body_id.empty()) {
    event.set_id(BodyDigestId(body));
    event.set_id_rule(v1::ID_RULE_CONTENT_HASH);
  } else {
    event.set_id(std::move(body_id));
    event.set_id_rule(v1::ID_RULE_BODY_ID);
  }
  impl_->TakeUnknown(event);
  event.set_raw(body.data(), body.size());
  return event;
}

}  // namespace vouchstream::transcode

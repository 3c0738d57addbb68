#pragma once
// The generic JSON -> protobuf walker: fills any message from a simdjson DOM
// element following the proto3 JSON mapping, driven only by descriptors (no
// per-message code). What it implements:
//
//   - keys: the field's proto name or its json_name;
//   - null: leaves the field unset (google.protobuf.Value: null_value;
//     google.protobuf.NullValue: NULL_VALUE, which selects a oneof member);
//   - integers (every width and encoding): JSON numbers or decimal strings,
//     range-checked exactly; an integral number in fraction or exponent form
//     (2.147483647e9) is accepted, read from its digits when set_source() was
//     given; 1.5 or 1e-400 is refused, not rounded. Quoted exponents ("1e2")
//     are refused, as protobuf 3.21 does;
//   - floating point: numbers, numeric strings, "NaN", "Infinity",
//     "-Infinity";
//   - bool: true/false only;
//   - enums: value name or number; an unknown name is an error;
//   - string: JSON strings; bytes: base64 (standard or web-safe);
//   - repeated fields: arrays; maps: objects with keys converted to the key
//     type; oneofs: at most one member set;
//   - well-known types: Timestamp (RFC 3339, years 0001 to 9999 as written)
//     and Duration ("1.5s", at most +-315,576,000,000 s and nine fractional
//     digits), Struct, Value, ListValue, the wrapper types, FieldMask, Empty;
//   - google.protobuf.Any: {"@type": "type.googleapis.com/<full name>", ...
//     the packed message's fields}, "@type" anywhere among the keys; a
//     well-known type sits under "value": {"@type": ".../google.protobuf.
//     Duration", "value": "1.5s"}. Types resolve in the generated descriptor
//     pool (what is linked in); another URL prefix or an unknown type is an
//     error at `<path>.@type` naming the URL. {} is the empty Any.
//
// Deliberately stricter than protobuf 3.21's JsonStringToMessage, where 3.21
// takes plainly wrong input (later protobuf releases refuse most of it too),
// because a webhook that says such things is wrong and saying so beats
// guessing. Voucherify never sends any of these:
//   - syntax 3.21's parser tolerates: trailing commas, single-quoted strings,
//     unquoted key names (simdjson refuses them as malformed JSON);
//   - a key twice for a oneof member, an optional field, a map or Struct key,
//     or "@type" (3.21 keeps the last), and an integer in exponent form whose
//     text differs between repeated keys;
//   - null as an element of a repeated field or as a map value (3.21 drops
//     or defaults it), except for Value and NullValue elements;
//   - a string for a bool ("active": "yes" read as true), "yes" as a bool map
//     key, a single value for a repeated field (3.21 also turns a null
//     repeated NullValue field into one element), a list nested in its list;
//   - any object as a Timestamp or Duration, and unknown enum names (which
//     3.21 drops silently when ignoring unknown fields);
//   - a well-known type in an Any with a key other than "value" (3.21 aborts
//     on a CHECK).
// Where 3.21 is wrong the other way, the walker follows the mapping: it
// accepts a ListValue in an Any, and 64-bit limits in exponent form
// (9.223372036854775807e18 is int64's maximum; 3.21 rounds it to 2^63).
//
// Keys the message type does not know are skipped and reported as JSON paths
// (see JsonPath) in `unknown_fields`; nothing else is silently dropped.
//
// Odd values: everything above that the mapping refuses in a well-formed
// JSON object (a value of the wrong JSON type, an enum name the enum lacks,
// 1.5 or 1e-400 or 2^31 in an int32 field, a malformed Timestamp or
// Duration, an Any of an unknown type, a duplicate key, a oneof set twice,
// null in an array, ...). `Options::odd_values` says what to do with them:
//   - kRefuse (the default): Fill() fails with
//     kInvalidArgument naming the JSON path and what was expected, e.g.
//     `vouchers[0].active: expected a boolean, got string`;
//   - kKeepAsUnknown (for Voucherify's bodies, which disagree with their own
//     schema; refusing would lose the event): the value is left out of the
//     message, as narrowly as possible: the singular field is unset (the
//     last key counts, as in protobuf, if the JSON repeats it), an array
//     element or a map entry is skipped, a map, Struct or oneof that gets a
//     key twice keeps the first value, and a problem inside a well-known
//     type (a Timestamp, an Any) leaves out the whole value. Its path
//     goes to `unknown_fields` and its path and reason to TakeOddValues();
//     everything else is typed. A root that is not an object is an error in
//     both modes.
//
// Thread-compatible: a MessageFiller caches per-descriptor lookup tables;
// use one per thread.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "simdjson.h"
#include "transcode/json_path.h"

namespace vouchstream::transcode {

class MessageFiller {
 public:
  // What Fill() does with an odd value (see the file comment).
  enum class OddValues {
    kRefuse,         // Fill() fails.
    kKeepAsUnknown,  // The value is left out and reported.
  };
  struct Options {
    //   odd_values  kRefuse
    OddValues odd_values = OddValues::kRefuse;
  };
  // An odd value kept in kKeepAsUnknown mode. `path` is the value left out
  // (as in `unknown_fields`); `reason` says what is wrong with it, prefixed
  // by the path of the problem when that lies deeper inside the value (e.g.
  // `optionalAny.value: invalid Duration "1"` for path `optionalAny`).
  struct OddValue {
    std::string path;
    std::string reason;
  };

  MessageFiller() : MessageFiller(Options()) {}
  explicit MessageFiller(const Options& options);
  ~MessageFiller();
  MessageFiller(const MessageFiller&) = delete;
  MessageFiller& operator=(const MessageFiller&) = delete;

  // The JSON text that the elements given to Fill() were parsed from; it
  // must outlive those calls, and their `path` must start at its root. With
  // it, an integer field written in fraction or exponent form is converted
  // exactly from its digits (see json_integer.h). Without it (the default),
  // from the double simdjson parsed, which reads "1e-400" as 0.
  void set_source(absl::string_view json) { source_ = json; }

  // Merges the JSON object `value` into `message`. `path` is where `value`
  // sits in the document (for messages); it is restored on return.
  // `skip_key`, when not empty, is a top-level key of `value` to pass over
  // (the transcoder handles an envelope's `data` itself). Unknown keys, and
  // in kKeepAsUnknown mode the paths of odd values, are appended to
  // `unknown_fields`.
  absl::Status Fill(simdjson::dom::element value,
                    google::protobuf::Message& message, JsonPath& path,
                    std::vector<std::string>& unknown_fields,
                    absl::string_view skip_key = {});

  // The odd values kept by Fill() calls since the last TakeOddValues(), in
  // document order; always empty in kRefuse mode. Take them (or drop them)
  // before filling the next document: a failed Fill() may leave some.
  std::vector<OddValue> TakeOddValues() {
    return std::exchange(odd_values_, {});
  }

 private:
  struct MessageTable;
  const MessageTable& TableFor(const google::protobuf::Descriptor* type);

  absl::Status FillMessage(simdjson::dom::element value,
                           google::protobuf::Message& message,
                           const MessageTable& table, absl::string_view skip);
  absl::Status FillField(simdjson::dom::element value,
                         google::protobuf::Message& message,
                         const google::protobuf::FieldDescriptor& field);
  absl::Status FillRepeated(simdjson::dom::element value,
                            google::protobuf::Message& message,
                            const google::protobuf::FieldDescriptor& field);
  absl::Status FillMap(simdjson::dom::element value,
                       google::protobuf::Message& message,
                       const google::protobuf::FieldDescriptor& field);
  absl::Status AddOrSet(simdjson::dom::element value,
                        google::protobuf::Message& message,
                        const google::protobuf::FieldDescriptor& field);
  absl::Status FillWellKnown(simdjson::dom::element value,
                             google::protobuf::Message& message,
                             const MessageTable& table);
  absl::Status FillAny(simdjson::dom::element value,
                       google::protobuf::Message& any_message);
  absl::Status FillWellKnownInAny(simdjson::dom::object object,
                                  google::protobuf::Message& message,
                                  const MessageTable& table);
  absl::Status FillValue(simdjson::dom::element value,
                         google::protobuf::Message& value_message);
  absl::Status FillStruct(simdjson::dom::element value,
                          google::protobuf::Message& struct_message);
  absl::Status FillListValue(simdjson::dom::element value,
                             google::protobuf::Message& list_message);

  // How the source wrote the number `value` at the current path.
  absl::StatusOr<absl::string_view> NumberText(simdjson::dom::element value);

  // An error at the current path.
  absl::Status Error(absl::string_view what) const;
  // An odd value at the current path that the caller can step over: the
  // error in kRefuse mode; in kKeepAsUnknown mode it is kept (OK), and the
  // caller must leave the value out.
  absl::Status Odd(absl::string_view what);
  // In kKeepAsUnknown mode, keeps `error`, an input error (kInvalidArgument)
  // about the value at the current path, as an odd value there and returns
  // true: the caller must then undo what it stored of that value. Else
  // false: the caller returns `error`.
  bool Kept(const absl::Status& error);

  absl::flat_hash_map<const google::protobuf::Descriptor*,
                      std::unique_ptr<MessageTable>>
      tables_;
  const bool keep_odd_values_;
  // Valid only during Fill().
  JsonPath* path_ = nullptr;
  std::vector<std::string>* unknown_fields_ = nullptr;
  absl::string_view source_;
  std::vector<OddValue> odd_values_;
};

}  // namespace vouchstream::transcode

#pragma once
// The generic JSON -> protobuf walker: fills any message from a simdjson DOM
// element following the proto3 JSON mapping, driven only by descriptors (no
// per-message code). What it implements:
//
//   - keys: the field's proto name or its json_name;
//   - null: leaves the field unset (google.protobuf.Value: null_value);
//   - integers: JSON numbers or decimal strings, range-checked; an integral
//     double such as 1e3 is accepted for an integer field;
//   - floating point: numbers, numeric strings, "NaN", "Infinity",
//     "-Infinity";
//   - bool: true/false only;
//   - enums: value name or number; an unknown name is an error;
//   - string: JSON strings; bytes: base64 (standard or web-safe);
//   - repeated fields: arrays; maps: objects with keys converted to the key
//     type; oneofs: at most one member set;
//   - well-known types: Timestamp and Duration (RFC 3339 / "1.5s" strings),
//     Struct, Value, ListValue, the wrapper types, FieldMask, Empty.
//     google.protobuf.Any is refused (kUnimplemented): the contract has none.
//
// It is stricter than protobuf 3.21's JsonStringToMessage (and in line with
// later protobuf releases) where 3.21 takes plainly wrong input: a string
// for a bool ("active": "yes" read as true), a single value for a repeated
// field or a list nested in its list, null inside a list or as a map value,
// "yes" as a bool map key, any object as a Timestamp or Duration, and unknown
// enum names (which 3.21 drops silently when ignoring unknown fields). A
// webhook that says such things is wrong, and saying so beats guessing.
//
// Keys the message type does not know are skipped and reported as JSON paths
// (see JsonPath) in `unknown_fields`; nothing else is silently dropped.
// Errors are kInvalidArgument naming the JSON path and what was expected.
//
// Thread-compatible: a MessageFiller caches per-descriptor lookup tables;
// use one per thread.

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "simdjson.h"

#include "gateway/json_path.h"

namespace vouchstream::gateway {

class MessageFiller {
 public:
  MessageFiller();
  ~MessageFiller();
  MessageFiller(const MessageFiller&) = delete;
  MessageFiller& operator=(const MessageFiller&) = delete;

  // Merges the JSON object `value` into `message`. `path` is where `value`
  // sits in the document (for messages); it is restored on return.
  // `skip_key`, when not empty, is a top-level key of `value` to pass over
  // (the transcoder handles an envelope's `data` itself). Unknown keys are
  // appended to `unknown_fields`.
  absl::Status Fill(simdjson::dom::element value,
                    google::protobuf::Message& message, JsonPath& path,
                    std::vector<std::string>& unknown_fields,
                    absl::string_view skip_key = {});

 private:
  struct MessageTable;
  const MessageTable& TableFor(const google::protobuf::Descriptor* type);

  absl::Status FillMessage(simdjson::dom::element value,
                           google::protobuf::Message& message,
                           const MessageTable& table, absl::string_view skip);
  absl::Status FillField(simdjson::dom::element value,
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

  // An error at the current path.
  absl::Status Error(absl::string_view what) const;

  absl::flat_hash_map<const google::protobuf::Descriptor*,
                      std::unique_ptr<MessageTable>>
      tables_;
  // Valid only during Fill().
  JsonPath* path_ = nullptr;
  std::vector<std::string>* unknown_fields_ = nullptr;
};

}  // namespace vouchstream::gateway

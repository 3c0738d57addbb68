#pragma once
// Reads an event body at JSON paths such as "customer.metadata.region" or
// "vouchers.code", the same way whether the body is typed (one of
// `Event.payload`'s messages, walked by reflection: field names are the JSON
// keys) or untyped (`Event.data`, a google.protobuf.Struct, walked by its
// keys). A path crosses lists (repeated fields, ListValues) as redaction
// paths do. This is how the enricher and the filters read every event type
// through one code path, from the paths the contract declares on its fields
// (`derived_from`, `filter_reads` in vouchstream/v1/options.proto): adding
// an event type needs no code.
//
// Thread-safe: pure functions over messages the caller keeps alive.

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

#include "vouchstream/v1/event.pb.h"

namespace vouchstream::core {

// The event's body: its typed payload member, or `data`; nullptr when
// `payload` is unset.
const google::protobuf::Message* EventBody(const v1::Event& event);

// One value found at a path: an object (a typed message, or the Struct of
// an untyped object) or a string. Other scalars are not reported.
struct BodyValue {
  const google::protobuf::Message* object = nullptr;
  const std::string* string = nullptr;
};

// A dotted path split once, for code that reads it from many bodies (the
// overloads below taking a string_view split it at every call).
class BodyPath {
 public:
  explicit BodyPath(absl::string_view dotted);
  const std::vector<std::string>& segments() const { return segments_; }

 private:
  std::vector<std::string> segments_;
};

// Calls `visit` on each value at `path` in `body`, in document order, until
// it returns false. An empty path visits `body` itself.
void ForEachAt(const google::protobuf::Message& body, const BodyPath& path,
               absl::FunctionRef<bool(const BodyValue&)> visit);
void ForEachAt(const google::protobuf::Message& body, absl::string_view path,
               absl::FunctionRef<bool(const BodyValue&)> visit);

// The first non-empty string at `path`, or "" when there is none.
std::string FirstStringAt(const google::protobuf::Message& body,
                          const BodyPath& path);
std::string FirstStringAt(const google::protobuf::Message& body,
                          absl::string_view path);

// The objects at `path`, in document order.
std::vector<const google::protobuf::Message*> ObjectsAt(
    const google::protobuf::Message& body, const BodyPath& path);
std::vector<const google::protobuf::Message*> ObjectsAt(
    const google::protobuf::Message& body, absl::string_view path);

// `message` as the generated type T, or nullptr when it is another type (a
// cheaper dynamic_cast: two pointer compares; T's descriptor and reflection
// are looked up once).
template <typename T>
const T* AsGenerated(const google::protobuf::Message* message) {
  static const google::protobuf::Descriptor* const kType = T::descriptor();
  static const google::protobuf::Reflection* const kReflection =
      T::GetReflection();
  return message != nullptr && message->GetDescriptor() == kType &&
                 message->GetReflection() == kReflection
             ? static_cast<const T*>(message)
             : nullptr;
}

}  // namespace vouchstream::core

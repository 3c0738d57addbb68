#include "service/auth/filter_check.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

#include "vouchstream/v1/options.pb.h"

#include "service/auth/auth_errors.h"
#include "service/auth/path_tree.h"

namespace vouchstream::auth {
namespace {

using google::protobuf::FieldDescriptor;

// The map keys of `field` in `filter` ("" for a field that is not a map, so
// that its paths are checked once).
std::vector<std::string> KeysOf(const v1::EventFilter& filter,
                                const FieldDescriptor& field) {
  if (!field.is_map()) {
    return {""};
  }
  const google::protobuf::Reflection& reflection =
      *v1::EventFilter::GetReflection();
  std::vector<std::string> keys;
  const int size = reflection.FieldSize(filter, &field);
  for (int i = 0; i < size; ++i) {
    const google::protobuf::Message& entry =
        reflection.GetRepeatedMessage(filter, &field, i);
    keys.push_back(entry.GetReflection()->GetString(
        entry, field.message_type()->map_key()));
  }
  return keys;
}

bool IsSet(const v1::EventFilter& filter, const FieldDescriptor& field) {
  const google::protobuf::Reflection& reflection =
      *v1::EventFilter::GetReflection();
  return field.is_repeated() ? reflection.FieldSize(filter, &field) > 0
                             : reflection.HasField(filter, &field);
}

}  // namespace

absl::Status CheckFilterReadable(const Principal& principal,
                                 const v1::EventFilter& filter) {
  if (principal.redactor.empty()) {
    return absl::OkStatus();
  }
  const google::protobuf::Descriptor& type = *v1::EventFilter::descriptor();
  for (int f = 0; f < type.field_count(); ++f) {
    const FieldDescriptor& field = *type.field(f);
    if (!IsSet(filter, field)) {
      continue;
    }
    for (const std::string& key : KeysOf(filter, field)) {
      for (const std::string& reads :
           field.options().GetRepeatedExtension(v1::filter_reads)) {
        const std::string path = absl::StrReplaceAll(reads, {{"{key}", key}});
        if (std::optional<std::string> redacted =
                principal.redactor.Hides(SplitPath(path))) {
          const std::string criterion =
              key.empty() && !field.is_map()
                  ? absl::StrCat("filter.", field.name())
                  : absl::StrCat("filter.", field.name(), "[\"", key, "\"]");
          return FilterRedactedError(principal.name, criterion, path,
                                     *redacted);
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace vouchstream::auth

// Prints docs/event-identity.md from the contract's descriptors: for every
// typed event type, the id a bare body names for itself (the payload field's
// `event_id_path` option) or the content hash, and the object that marks the
// body's shape (`identifying_field`). The ctest `event_identity_doc_test`
// fails when the committed file differs; regenerate it with
//
//   build/bin/event_identity_table > docs/event-identity.md

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

#include "vouchstream/v1/event.pb.h"
#include "vouchstream/v1/options.pb.h"

namespace {

struct Row {
  std::string type;
  std::string field;
  std::string id;
  std::string identifying;
};

std::vector<Row> Rows() {
  std::vector<Row> rows;
  const google::protobuf::OneofDescriptor* payload =
      vouchstream::v1::Event::descriptor()->FindOneofByName("payload");
  for (int i = 0; i < payload->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = payload->field(i);
    const google::protobuf::FieldOptions& options = field->options();
    if (!options.HasExtension(vouchstream::v1::event_type)) {
      continue;
    }
    Row row;
    row.type = options.GetExtension(vouchstream::v1::event_type);
    row.field = field->name();
    const std::string& path =
        options.GetExtension(vouchstream::v1::event_id_path);
    row.id = path.empty() ? "content hash (`sha256:` of the canonical body)"
                          : absl::StrCat("`", path, "`");
    const std::string& identifying =
        options.GetExtension(vouchstream::v1::identifying_field);
    row.identifying =
        identifying.empty() ? "–" : absl::StrCat("`", identifying, "`");
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return a.type < b.type; });
  return rows;
}

}  // namespace

int main() {
  const std::vector<Row> rows = Rows();
  std::cout
      << "# Event identity per type\n\n"
         "Generated from the contract (`proto/vouchstream/v1/event.proto`, "
         "the `event_type`,\n`event_id_path` and `identifying_field` options "
         "of `Event.payload`) by\n`build/bin/event_identity_table > "
         "docs/event-identity.md`; do not edit by hand.\n\n"
         "An event is the pair (type, id). The id is the v2024 envelope's "
         "`event.id`, else\nthe envelope's `id`, else, for a bare body, the "
         "id below, else the content hash:\n`sha256:` + the hex SHA-256 of "
         "the body without insignificant whitespace, which\ndeduplicates "
         "only within `vouchstream-server --content-hash-window` (SECURITY.md "
         "§4).\nA bare body without its type's identifying object is "
         "quarantined.\n\n"
      << rows.size() << " typed event types.\n\n"
      << "| type | payload field | id of a bare body | identifying object |\n"
         "|---|---|---|---|\n";
  for (const Row& row : rows) {
    std::cout << "| `" << row.type << "` | `" << row.field << "` | " << row.id
              << " | " << row.identifying << " |\n";
  }
  return 0;
}

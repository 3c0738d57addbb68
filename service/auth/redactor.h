#pragma once
// Clears personal data from the copy of an event that leaves the server on
// one principal's calls (Subscribe, GetEvent, ListEvents); the stored event
// is never touched. Paths name payload fields by their JSON names, relative
// to the payload: "customer.email" clears `customer.email` of a
// publication.succeeded body, and "customer.metadata.vip" a key inside a
// Struct. A path crosses lists: "vouchers.code" clears the code of every
// voucher. A path that is absent in an event clears nothing.
//
// With at least one path, the redactor also treats what would leak the same
// data by another way:
//   - `raw` (the webhook body as received) is dropped;
//   - untyped payloads (`data`, a Struct) and `envelope.data` are redacted by
//     the same paths;
//   - `unknown_fields` lists field names, not values, and stays.
//
//   absl::StatusOr<Redactor> redactor = Redactor::Create({"customer.email"});
//   v1::Event copy = stored;
//   redactor->Apply(&copy);
//
// Thread-safe: a Redactor is immutable after Create.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "vouchstream/v1/event.pb.h"

namespace vouchstream::auth {

class Redactor {
 public:
  // Redacts nothing.
  Redactor() = default;

  // kInvalidArgument when a path is empty or has an empty segment ("a..b").
  static absl::StatusOr<Redactor> Create(const std::vector<std::string>& paths);

  // True when there is nothing to redact.
  bool empty() const { return paths_.empty(); }

  // Clears the paths in `event` (see the file comment).
  void Apply(v1::Event* event) const;

 private:
  std::vector<std::vector<std::string>> paths_;
};

}  // namespace vouchstream::auth

#pragma once
// Clears personal data from the copy of an event that leaves the server on
// one principal's calls (Subscribe, GetEvent, ListEvents); the stored event
// is never touched. Paths name payload fields by their JSON names, relative
// to the payload: "customer.email" clears `customer.email` of a
// publication.succeeded body, and "customer.metadata.vip" a key inside a
// Struct. A path crosses lists: "vouchers.code" clears the code of every
// voucher. A path that is absent in an event clears nothing. The path "pii"
// stands for every field the contract marks `(voucherify.v1.pii)`, wherever
// it occurs in any event type (pii_fields.h).
//
// With at least one path, the redactor also treats what would leak the same
// data by another way:
//   - `raw` (the webhook body as received) is dropped;
//   - untyped payloads (`data`, a Struct) and `envelope.data` are redacted by
//     the same paths, "pii" by the body paths of the marked fields;
//   - an enrichment field whose declared source (derivations.h) is redacted
//     is cleared too: `enrichment.customer_region` with
//     "customer.metadata", `enrichment.vouchers[].code` with
//     "vouchers.code";
//   - `Hides` tells the filter check (filter_check.h) which filter criteria
//     would reveal a redacted value by their answers;
//   - `unknown_fields` and `odd_values` list paths and reasons, not values,
//     and stay.
//
//   absl::StatusOr<Redactor> redactor = Redactor::Create({"pii"});
//   v1::Event copy = stored;
//   redactor->Apply(&copy);
//
// Thread-safe: a Redactor is immutable after Create.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "vouchstream/v1/event.pb.h"

#include "service/auth/path_tree.h"

namespace vouchstream::auth {

class Redactor {
 public:
  // The path that stands for every field marked `(voucherify.v1.pii)`.
  static constexpr absl::string_view kPii = "pii";

  // Redacts nothing.
  Redactor() = default;

  // kInvalidArgument when a path is empty or has an empty segment ("a..b").
  static absl::StatusOr<Redactor> Create(const std::vector<std::string>& paths);

  // True when there is nothing to redact.
  bool empty() const { return state_ == nullptr; }

  // Clears the paths in `event` (see the file comment).
  void Apply(v1::Event* event) const;

  // When reading `path` would reveal something this redactor hides: the
  // redacted path responsible, as the access file names it ("pii" paths as
  // "pii (customer.email)"). `path` is "enrichment." followed by an
  // enrichment field path, or "payload." followed by a body path. A path
  // hides another when either covers the other (path_tree.h).
  std::optional<std::string> Hides(const Path& path) const;

 private:
  struct State {
    bool pii = false;
    // The explicit paths, walked over typed payloads (where "pii" is found
    // by the field option instead).
    PathTree typed;
    // The explicit paths and the marked fields' body paths, for Structs.
    PathTree untyped;
    // The enrichment fields to clear.
    PathTree enrichment;
    // Redacted body paths, and enrichment fields cleared, each with the
    // redacted path responsible (for Hides).
    std::vector<std::pair<Path, std::string>> body;
    std::vector<std::pair<Path, std::string>> cleared;
  };

  std::shared_ptr<const State> state_;
};

}  // namespace vouchstream::auth

#pragma once
// What each enrichment field is computed from, as the contract declares it:
// `(vouchstream.v1.derived_from)` and `(derived_from_presence)` on the
// fields of `Enrichment` and of the facts messages inside it
// (proto/vouchstream/v1/options.proto). The redactor clears a field whose
// source is redacted; the filter check refuses a criterion that reads one.
//
//   for (const Derivation& d : EnrichmentDerivations()) {
//     if (HidesSource(d, redacted)) { clear d.field }
//   }
//
// Thread-safe: the table is built once, on first use, and then only read.

#include <vector>

#include "service/auth/path_tree.h"

namespace vouchstream::auth {

struct Derivation {
  // The enrichment field, relative to `Event.enrichment`, e.g.
  // {"vouchers", "code"}.
  Path field;
  // Body paths whose values it is computed from.
  std::vector<Path> from;
  // Body paths whose presence alone it reveals.
  std::vector<Path> from_presence;
};

// Every enrichment field that declares a source, in field order.
const std::vector<Derivation>& EnrichmentDerivations();

// True when redacting body path `redacted` hides a source of `derivation`:
// it covers or lies below a `from` path, or covers a `from_presence` path.
bool HidesSource(const Derivation& derivation, const Path& redacted);

}  // namespace vouchstream::auth

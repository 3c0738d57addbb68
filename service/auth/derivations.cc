#include "service/auth/derivations.h"

#include <algorithm>

#include "google/protobuf/descriptor.h"

#include "vouchstream/v1/event.pb.h"
#include "vouchstream/v1/options.pb.h"

namespace vouchstream::auth {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// Adds the derivations of `type`'s fields, and of the fields of the facts
// messages below them (VoucherFacts), with `at` as the path prefix.
void Collect(const Descriptor& type, Path* at, std::vector<Derivation>* out) {
  for (int f = 0; f < type.field_count(); ++f) {
    const FieldDescriptor& field = *type.field(f);
    at->push_back(field.name());
    const google::protobuf::FieldOptions& options = field.options();
    Derivation derivation{*at, {}, {}};
    for (const std::string& path :
         options.GetRepeatedExtension(v1::derived_from)) {
      derivation.from.push_back(SplitPath(path));
    }
    for (const std::string& path :
         options.GetRepeatedExtension(v1::derived_from_presence)) {
      derivation.from_presence.push_back(SplitPath(path));
    }
    if (!derivation.from.empty() || !derivation.from_presence.empty()) {
      out->push_back(std::move(derivation));
    }
    // Facts messages are the project's own (vouchstream.v1), not
    // timestamps, durations or maps.
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !field.is_map() &&
        field.message_type()->file()->package() == "vouchstream.v1") {
      Collect(*field.message_type(), at, out);
    }
    at->pop_back();
  }
}

}  // namespace

const std::vector<Derivation>& EnrichmentDerivations() {
  static const std::vector<Derivation>* const kDerivations = [] {
    auto* derivations = new std::vector<Derivation>();
    Path at;
    Collect(*v1::Enrichment::descriptor(), &at, derivations);
    return derivations;
  }();
  return *kDerivations;
}

bool HidesSource(const Derivation& derivation, const Path& redacted) {
  const auto overlaps = [&redacted](const Path& from) {
    return Covers(redacted, from) || Covers(from, redacted);
  };
  const auto covers = [&redacted](const Path& present) {
    return Covers(redacted, present);
  };
  return std::any_of(derivation.from.begin(), derivation.from.end(),
                     overlaps) ||
         std::any_of(derivation.from_presence.begin(),
                     derivation.from_presence.end(), covers);
}

}  // namespace vouchstream::auth

#include "service/auth/pii_fields.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

#include "voucherify/v1/options.pb.h"
#include "vouchstream/v1/event.pb.h"

namespace vouchstream::auth {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

const Descriptor* MessageType(const FieldDescriptor& field) {
  return field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE
             ? field.message_type()
             : nullptr;
}

// Every message type reachable from Event.
std::vector<const Descriptor*> Reachable() {
  std::vector<const Descriptor*> order = {v1::Event::descriptor()};
  absl::flat_hash_set<const Descriptor*> seen = {v1::Event::descriptor()};
  for (size_t i = 0; i < order.size(); ++i) {
    for (int f = 0; f < order[i]->field_count(); ++f) {
      const Descriptor* type = MessageType(*order[i]->field(f));
      if (type != nullptr && seen.insert(type).second) {
        order.push_back(type);
      }
    }
  }
  return order;
}

// Types holding a marked field, by fixpoint: a type holds one when a field
// is marked or its message type holds one. Iterating to a fixpoint (rather
// than one depth-first pass) gets recursive types right.
absl::flat_hash_set<const Descriptor*> TypesHoldingPii() {
  const std::vector<const Descriptor*> types = Reachable();
  absl::flat_hash_set<const Descriptor*> holding;
  for (bool changed = true; changed;) {
    changed = false;
    for (const Descriptor* type : types) {
      if (holding.contains(type)) {
        continue;
      }
      for (int f = 0; f < type->field_count(); ++f) {
        const FieldDescriptor& field = *type->field(f);
        const Descriptor* inner = MessageType(field);
        if (IsPii(field) || (inner != nullptr && holding.contains(inner))) {
          holding.insert(type);
          changed = true;
          break;
        }
      }
    }
  }
  return holding;
}

void CollectPaths(const Descriptor& type, Path* at,
                  std::vector<const Descriptor*>* stack,
                  std::vector<Path>* out) {
  if (!HoldsPii(type) ||
      std::find(stack->begin(), stack->end(), &type) != stack->end()) {
    return;
  }
  stack->push_back(&type);
  for (int f = 0; f < type.field_count(); ++f) {
    const FieldDescriptor& field = *type.field(f);
    at->push_back(field.name());
    if (IsPii(field)) {
      out->push_back(*at);
    } else if (const Descriptor* inner = MessageType(field)) {
      CollectPaths(*inner, at, stack, out);
    }
    at->pop_back();
  }
  stack->pop_back();
}

}  // namespace

bool IsPii(const FieldDescriptor& field) {
  return field.options().GetExtension(voucherify::v1::pii);
}

bool HoldsPii(const Descriptor& type) {
  static const auto* const kHolding =
      new absl::flat_hash_set<const Descriptor*>(TypesHoldingPii());
  return kHolding->contains(&type);
}

const std::vector<Path>& PiiBodyPaths() {
  static const std::vector<Path>* const kPaths = [] {
    std::vector<Path> paths;
    const google::protobuf::OneofDescriptor& payload =
        *v1::Event::descriptor()->FindOneofByName("payload");
    for (int f = 0; f < payload.field_count(); ++f) {
      const Descriptor* body = MessageType(*payload.field(f));
      if (body == nullptr) {
        continue;
      }
      Path at;
      std::vector<const Descriptor*> stack;
      CollectPaths(*body, &at, &stack, &paths);
    }
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    return new std::vector<Path>(std::move(paths));
  }();
  return *kPaths;
}

}  // namespace vouchstream::auth

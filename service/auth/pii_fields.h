#pragma once
// Where personal data is, read from the contract: every field marked
// `(voucherify.v1.pii) = true` (proto/voucherify/v1/options.proto), wherever
// its message occurs in an event. A principal that redacts "pii" has these
// cleared (redactor.h); the facts here are computed once, from the
// descriptors of `vouchstream.v1.Event`, on first use.
//
//   if (HoldsPii(*message.GetDescriptor())) { ... walk it ... }
//
// Thread-safe: the tables are built once and then only read.

#include <vector>

#include "google/protobuf/descriptor.h"

#include "service/auth/path_tree.h"

namespace vouchstream::auth {

// True when `field` is marked `(voucherify.v1.pii)`.
bool IsPii(const google::protobuf::FieldDescriptor& field);

// True when a message of `type` can hold a marked field at some depth
// (false for types an Event cannot reach).
bool HoldsPii(const google::protobuf::Descriptor& type);

// The body paths of every marked field, over every typed payload of an
// Event, e.g. "customer.email" and "redemption.customer.email"; a marked
// object ("customer.address") ends its path. Segments are proto field
// names, which are the keys of Voucherify's JSON, so the paths apply to
// untyped (Struct) bodies too. Recursive messages are followed once.
const std::vector<Path>& PiiBodyPaths();

}  // namespace vouchstream::auth

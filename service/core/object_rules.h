#pragma once
// The rules on Voucherify's objects that hold wherever an object occurs, in
// every event family: a Customer is a Customer in a publication, under a
// redemption's `customer` or an order's `referrer`. The typed body is walked
// by reflection and each object checked by its message type, so a new event
// type built from the same objects is checked with no code. What the spec
// states: id prefixes ("cust_", "camp_", "v_", "pub_", "user_", "ord_"),
// emails, creation times in the past, amounts, quantities, prices, points
// and balances that are not negative, an order item's amount that is its
// price times its quantity, and an order's amount that is the sum of its
// items' amounts. Absent values keep every rule (the contract's scalars are
// optional).
//
// Thread-safe: pure functions.

#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/message.h"

#include "vouchstream/v1/api.pb.h"

namespace vouchstream::core {

// What "a creation time in the past" means for the check.
struct SaneTimes {
  absl::Time earliest;  // Before this is not sane.
  absl::Time latest;    // After this is in the future.
};

// Appends a violation for each rule an object of `body` (a typed event body)
// breaks, objects in field-number order, with its JSON path
// ("order.items[1].amount").
void CheckObjects(const google::protobuf::Message& body, const SaneTimes& times,
                  std::vector<v1::FieldViolation>* out);

}  // namespace vouchstream::core

#pragma once
// A one-line human summary of a voucher's discount, for subscribers that
// show events to people. Amounts are Voucherify's cents, written as dollars
// with two decimals (the project's currency is not in the event):
//
//   AMOUNT   "$1.00 off items"            "$10.00 off order"
//   PERCENT  "10% off order, max $30.00"  "10.5% off items"
//   FIXED    "order for $5.00"            "items for $5.00"
//   UNIT     "1 free unit of Espresso"    "0 free units of prod_0df14b7e"
//   UNIT with `units`: the same per product, joined by " + ":
//            "1 free unit of Espresso + 2 free units of sku_0b16"
//
// "order" is APPLY_TO_ORDER, "items" every APPLY_TO_ITEMS* effect; without
// an effect the word is left out ("$1.00 off"; FIXED reads "price for
// $5.00"). A value given only as a
// formula (is_dynamic) reads "computed", e.g. "computed amount off order".
// Products are named by the `product_name` the reference data gives them,
// else by their id. A discount without a type summarises to "".
//
// Thread-safe: a pure function.

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

#include "voucherify/v1/discount.pb.h"

namespace vouchstream::core {

// Returns the display name of a product or SKU id, or "" when unknown.
using ProductNamer = absl::FunctionRef<std::string(absl::string_view id)>;

std::string DiscountSummary(const voucherify::v1::Discount& discount,
                            ProductNamer product_name);

// The same, naming products by their ids.
std::string DiscountSummary(const voucherify::v1::Discount& discount);

// `cents` as "$12.34" ("-$0.50" when negative).
std::string FormatCents(int64_t cents);

}  // namespace vouchstream::core

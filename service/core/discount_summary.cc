#include "service/core/discount_summary.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vouchstream::core {
namespace {

using ::voucherify::v1::Discount;
using ::voucherify::v1::DiscountUnit;

// " order", " items" or "" (no effect or a UNIT effect).
absl::string_view Target(Discount::Effect effect) {
  switch (effect) {
    case Discount::APPLY_TO_ORDER:
      return " order";
    case Discount::APPLY_TO_ITEMS:
    case Discount::APPLY_TO_ITEMS_PROPORTIONALLY:
    case Discount::APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY:
    case Discount::APPLY_TO_ITEMS_BY_QUANTITY:
      return " items";
    default:
      return "";
  }
}

// 10 -> "10", 10.5 -> "10.5", 33.333333 -> "33.33".
std::string FormatPercent(double percent) {
  std::string out = absl::StrFormat("%.2f", percent);
  while (out.back() == '0') {
    out.pop_back();
  }
  if (out.back() == '.') {
    out.pop_back();
  }
  return out;
}

std::string UnitSummary(bool has_unit_off, int64_t unit_off,
                        absl::string_view unit_type,
                        ProductNamer product_name) {
  std::string name = unit_type.empty() ? "" : product_name(unit_type);
  if (name.empty()) {
    name = unit_type.empty() ? "product" : static_cast<std::string>(unit_type);
  }
  if (!has_unit_off) {
    return absl::StrCat("computed free units of ", name);
  }
  return absl::StrCat(unit_off, " free ", unit_off == 1 ? "unit" : "units",
                      " of ", name);
}

}  // namespace

std::string FormatCents(int64_t cents) {
  // Avoid std::abs(INT64_MIN) overflow by working in unsigned.
  const uint64_t magnitude = cents < 0 ? 0 - static_cast<uint64_t>(cents)
                                       : static_cast<uint64_t>(cents);
  return absl::StrFormat("%s$%d.%02d", cents < 0 ? "-" : "", magnitude / 100,
                         magnitude % 100);
}

std::string DiscountSummary(const Discount& discount,
                            ProductNamer product_name) {
  const absl::string_view target = Target(discount.effect());
  switch (discount.type()) {
    case Discount::AMOUNT:
      return absl::StrCat(discount.has_amount_off()
                              ? FormatCents(discount.amount_off())
                              : "computed amount",
                          " off", target);
    case Discount::PERCENT: {
      std::string out = absl::StrCat(
          discount.has_percent_off()
              ? absl::StrCat(FormatPercent(discount.percent_off()), "%")
              : "computed percent",
          " off", target);
      if (discount.has_amount_limit()) {
        absl::StrAppend(&out, ", max ", FormatCents(discount.amount_limit()));
      }
      return out;
    }
    case Discount::FIXED: {
      absl::string_view what = target.empty() ? " price" : target;
      return absl::StrCat(what.substr(1), " for ",
                          discount.has_fixed_amount()
                              ? FormatCents(discount.fixed_amount())
                              : "a computed amount");
    }
    case Discount::UNIT: {
      if (discount.units_size() == 0) {
        return UnitSummary(discount.has_unit_off(), discount.unit_off(),
                           discount.unit_type(), product_name);
      }
      std::string out;
      for (const DiscountUnit& unit : discount.units()) {
        absl::StrAppend(&out, out.empty() ? "" : " + ",
                        UnitSummary(unit.has_unit_off(), unit.unit_off(),
                                    unit.unit_type(), product_name));
      }
      return out;
    }
    default:
      return "";
  }
}

std::string DiscountSummary(const Discount& discount) {
  return DiscountSummary(discount,
                         [](absl::string_view) { return std::string(); });
}

}  // namespace vouchstream::core

#include "service/core/object_rules.h"

#include <cstdint>
#include <deque>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "re2/re2.h"

#include "voucherify/v1/order.pb.h"

namespace vouchstream::core {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

// What a field rule checks.
enum class Check {
  kFormat,       // the string matches `format`
  kPast,         // the Timestamp is sane and not in the future
  kNonNegative,  // the integer is >= 0
};

struct FieldRule {
  absl::string_view field;
  Check check;
  absl::string_view reason;
  const RE2* format = nullptr;
};

constexpr absl::string_view kPastReason =
    "is before the earliest sane time or in the future";
constexpr absl::string_view kNonNegativeReason = "must not be negative";

// The rules per message type (full name), in the order they are reported.
using RuleTable = absl::flat_hash_map<std::string, std::vector<FieldRule>>;

// The table and the formats its rules point to, built once (RE2 is
// thread-safe for matching).
struct Table {
  std::deque<RE2> formats;
  RuleTable rules;

  const RE2* Prefixed(absl::string_view prefix) {
    return &formats.emplace_back(absl::StrCat(prefix, "[0-9A-Za-z_-]+"));
  }
};

const RuleTable& Rules() {
  static const Table* const kTable = [] {
    auto* table = new Table();
    // Deliberately loose (real addresses are messier than any regex): one
    // "@", no whitespace, and a domain of at least two non-empty labels.
    const RE2* email =
        &table->formats.emplace_back(R"([^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+)");
    const auto id = [table](absl::string_view prefix,
                            absl::string_view reason) {
      return FieldRule{"id", Check::kFormat, reason, table->Prefixed(prefix)};
    };
    const FieldRule created_at{"created_at", Check::kPast, kPastReason};
    const auto non_negative = [](absl::string_view field) {
      return FieldRule{field, Check::kNonNegative, kNonNegativeReason};
    };
    RuleTable& rules = table->rules;
    rules["voucherify.v1.Customer"] = {
        id("cust_", R"(must be "cust_" followed by an id)"),
        {"email", Check::kFormat, "is not an email address", email},
        created_at};
    rules["voucherify.v1.Campaign"] = {
        id("camp_", R"(must be "camp_" followed by an id)"), created_at};
    rules["voucherify.v1.Voucher"] = {
        id("v_", R"(must be "v_" followed by an id)"), created_at};
    rules["voucherify.v1.Publication"] = {
        id("pub_", R"(must be "pub_" followed by an id)"),
        {"customer_id", Check::kFormat, R"(must be "cust_" followed by an id)",
         table->Prefixed("cust_")},
        created_at};
    rules["voucherify.v1.User"] = {
        id("user_", R"(must be "user_" followed by an id)"),
        {"email", Check::kFormat, "is not an email address", email}};
    rules["voucherify.v1.Order"] = {
        id("ord_", R"(must be "ord_" followed by an id)"),
        {"customer_id", Check::kFormat, R"(must be "cust_" followed by an id)",
         table->Prefixed("cust_")},
        created_at,
        non_negative("amount"),
        non_negative("total_amount")};
    rules["voucherify.v1.OrderItem"] = {non_negative("quantity"),
                                        non_negative("amount"),
                                        non_negative("price")};
    rules["voucherify.v1.Gift"] = {non_negative("amount"),
                                   non_negative("balance")};
    rules["voucherify.v1.LoyaltyCard"] = {non_negative("points"),
                                          non_negative("balance")};
    return table;
  }();
  return kTable->rules;
}

void Report(const std::string& path, absl::string_view field,
            absl::string_view reason, std::vector<v1::FieldViolation>* out) {
  v1::FieldViolation& violation = out->emplace_back();
  violation.set_field(path.empty() ? std::string{field}
                                   : absl::StrCat(path, ".", field));
  violation.set_description(std::string{reason});
}

bool Holds(const Message& object, const FieldDescriptor& field,
           const FieldRule& rule, const SaneTimes& times) {
  const Reflection& r = *object.GetReflection();
  if (field.is_repeated() || !r.HasField(object, &field)) {
    return true;
  }
  switch (rule.check) {
    case Check::kFormat: {
      const std::string value = r.GetString(object, &field);
      return value.empty() || RE2::FullMatch(value, *rule.format);
    }
    case Check::kPast: {
      const auto& ts = static_cast<const google::protobuf::Timestamp&>(
          r.GetMessage(object, &field));
      const absl::Time time =
          absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
      return time >= times.earliest && time <= times.latest;
    }
    case Check::kNonNegative:
      return field.cpp_type() != FieldDescriptor::CPPTYPE_INT64 ||
             r.GetInt64(object, &field) >= 0;
  }
  return true;
}

// The cross-field rules of an order: each item's amount is its price times
// its quantity, and the order's amount the sum of its items' amounts (when
// every item states one).
void CheckOrder(const voucherify::v1::Order& order, const std::string& path,
                std::vector<v1::FieldViolation>* out) {
  int64_t sum = 0;
  bool all_items_have_amounts = order.items_size() > 0;
  for (int i = 0; i < order.items_size(); ++i) {
    const voucherify::v1::OrderItem& item = order.items(i);
    if (item.has_amount() && item.has_price() && item.has_quantity() &&
        item.amount() != item.price() * item.quantity()) {
      Report(absl::StrCat(path.empty() ? "" : path + ".", "items[", i, "]"),
             "amount", "must equal price * quantity", out);
    }
    all_items_have_amounts = all_items_have_amounts && item.has_amount();
    sum += item.amount();
  }
  if (order.has_amount() && all_items_have_amounts && order.amount() != sum) {
    Report(path, "amount", "must equal the sum of items[].amount", out);
  }
}

void Walk(const Message& object, const std::string& path,
          const SaneTimes& times, std::vector<v1::FieldViolation>* out) {
  const Descriptor& type = *object.GetDescriptor();
  if (auto it = Rules().find(type.full_name()); it != Rules().end()) {
    for (const FieldRule& rule : it->second) {
      const FieldDescriptor* field =
          type.FindFieldByName(std::string{rule.field});
      if (field != nullptr && !Holds(object, *field, rule, times)) {
        Report(path, rule.field, rule.reason, out);
      }
    }
  }
  if (const auto* order =
          google::protobuf::DynamicCastToGenerated<voucherify::v1::Order>(
              &object)) {
    CheckOrder(*order, path, out);
  }
  // On into the objects inside, in field-number order (Struct values are
  // Voucherify's free-form metadata: no rules there).
  const Reflection& r = *object.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r.ListFields(object, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        field->message_type()->file()->package() != "voucherify.v1") {
      continue;
    }
    const std::string inner =
        path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
    if (!field->is_repeated()) {
      Walk(r.GetMessage(object, field), inner, times, out);
      continue;
    }
    for (int i = 0; i < r.FieldSize(object, field); ++i) {
      Walk(r.GetRepeatedMessage(object, field, i),
           absl::StrCat(inner, "[", i, "]"), times, out);
    }
  }
}

}  // namespace

void CheckObjects(const Message& body, const SaneTimes& times,
                  std::vector<v1::FieldViolation>* out) {
  Walk(body, "", times, out);
}

}  // namespace vouchstream::core

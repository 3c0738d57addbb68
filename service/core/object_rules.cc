#include "service/core/object_rules.h"

#include <cstdint>
#include <deque>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "re2/re2.h"

#include "voucherify/v1/order.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "common/proto_time.h"

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

// Where the walk is: the fields (and list indices) from the body down to
// the current object, turned into a JSON path only when a rule is broken.
struct Step {
  const FieldDescriptor* field;
  int index;  // -1: a singular field
};
using Trail = std::vector<Step>;

std::string PathOf(const Trail& trail, absl::string_view last) {
  std::string path;
  for (const Step& step : trail) {
    absl::StrAppend(&path, path.empty() ? "" : ".", step.field->name());
    if (step.index >= 0) {
      absl::StrAppend(&path, "[", step.index, "]");
    }
  }
  absl::StrAppend(&path, path.empty() ? "" : ".", last);
  return path;
}

void Report(const Trail& trail, absl::string_view field,
            absl::string_view reason, std::vector<v1::FieldViolation>* out) {
  v1::FieldViolation& violation = out->emplace_back();
  violation.set_field(PathOf(trail, field));
  violation.set_description(std::string{reason});
}

bool Holds(const Message& object, const FieldDescriptor& field,
           const FieldRule& rule, const SaneTimes& times) {
  const Reflection& r = *object.GetReflection();
  if (!r.HasField(object, &field)) {
    return true;
  }
  switch (rule.check) {
    case Check::kFormat: {
      std::string scratch;
      const std::string& value = r.GetStringReference(object, &field, &scratch);
      return value.empty() || RE2::FullMatch(value, *rule.format);
    }
    case Check::kPast: {
      const auto& ts = static_cast<const google::protobuf::Timestamp&>(
          r.GetMessage(object, &field));
      const absl::Time time = common::ToAbslTime(ts);
      return time >= times.earliest && time <= times.latest;
    }
    case Check::kNonNegative:
      return r.GetInt64(object, &field) >= 0;
  }
  return true;
}

// The cross-field rules of an order: each item's amount is its price times
// its quantity, and the order's amount the sum of its items' amounts (when
// every item states one).
void CheckOrder(const voucherify::v1::Order& order, Trail& trail,
                std::vector<v1::FieldViolation>* out) {
  static const FieldDescriptor* const kItems =
      voucherify::v1::Order::descriptor()->FindFieldByName("items");
  int64_t sum = 0;
  bool all_items_have_amounts = order.items_size() > 0;
  for (int i = 0; i < order.items_size(); ++i) {
    const voucherify::v1::OrderItem& item = order.items(i);
    if (item.has_amount() && item.has_price() && item.has_quantity() &&
        item.amount() != item.price() * item.quantity()) {
      trail.push_back({kItems, i});
      Report(trail, "amount", "must equal price * quantity", out);
      trail.pop_back();
    }
    all_items_have_amounts = all_items_have_amounts && item.has_amount();
    sum += item.amount();
  }
  if (order.has_amount() && all_items_have_amounts && order.amount() != sum) {
    Report(trail, "amount", "must equal the sum of items[].amount", out);
  }
}

// What the walk does at one message type, resolved from the rule table once:
// the field rules with their descriptors, and the message fields worth going
// into (those under which some object has rules).
struct Plan {
  std::vector<std::pair<const FieldDescriptor*, const FieldRule*>> checks;
  // Each with the plan of its message type.
  std::vector<std::pair<const FieldDescriptor*, const Plan*>> children;
  bool is_order = false;
};
using Plans = absl::flat_hash_map<const Descriptor*, Plan>;

// Every Voucherify message type an event body can hold, from the payload
// members of vouchstream.v1.Event down, each once.
std::vector<const Descriptor*> BodyTypes() {
  std::vector<const Descriptor*> types;
  absl::flat_hash_set<const Descriptor*> seen;
  std::deque<const Descriptor*> to_visit;
  const auto visit = [&](const Descriptor* type) {
    if (type != nullptr && type->file()->package() == "voucherify.v1" &&
        seen.insert(type).second) {
      types.push_back(type);
      to_visit.push_back(type);
    }
  };
  const google::protobuf::OneofDescriptor* payload =
      v1::Event::descriptor()->FindOneofByName("payload");
  for (int i = 0; i < payload->field_count(); ++i) {
    visit(payload->field(i)->message_type());
  }
  while (!to_visit.empty()) {
    const Descriptor* type = to_visit.front();
    to_visit.pop_front();
    for (int i = 0; i < type->field_count(); ++i) {
      visit(type->field(i)->message_type());
    }
  }
  return types;
}

// The types under which some object has rules (their own included), to a
// fixpoint: the walk goes into nothing else.
absl::flat_hash_set<const Descriptor*> TypesWorthWalking(
    const std::vector<const Descriptor*>& types, const Plans& plans) {
  absl::flat_hash_set<const Descriptor*> useful;
  for (const auto& [type, plan] : plans) {
    if (!plan.checks.empty() || plan.is_order) {
      useful.insert(type);
    }
  }
  const auto leads_to_useful = [&useful](const Descriptor* type) {
    for (int i = 0; i < type->field_count(); ++i) {
      if (useful.contains(type->field(i)->message_type())) {
        return true;
      }
    }
    return false;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (const Descriptor* type : types) {
      if (!useful.contains(type) && leads_to_useful(type)) {
        useful.insert(type);
        changed = true;
      }
    }
  }
  return useful;
}

// The plans of every type of BodyTypes().
Plans BuildPlans() {
  const std::vector<const Descriptor*> types = BodyTypes();
  Plans plans;
  for (const Descriptor* type : types) {
    Plan& plan = plans[type];
    plan.is_order = type == voucherify::v1::Order::descriptor();
    auto it = Rules().find(type->full_name());
    if (it == Rules().end()) {
      continue;
    }
    for (const FieldRule& rule : it->second) {
      const FieldDescriptor* field =
          type->FindFieldByName(std::string{rule.field});
      if (field != nullptr && !field->is_repeated()) {
        plan.checks.emplace_back(field, &rule);
      }
    }
  }
  const absl::flat_hash_set<const Descriptor*> useful =
      TypesWorthWalking(types, plans);
  // Every plan is in the map by now: their addresses stay as they are.
  for (const Descriptor* type : types) {
    for (int i = 0; i < type->field_count(); ++i) {
      const Descriptor* inner = type->field(i)->message_type();
      if (useful.contains(inner)) {
        plans[type].children.emplace_back(type->field(i), &plans[inner]);
      }
    }
  }
  return plans;
}

const Plans& AllPlans() {
  static const Plans* const kPlans = new Plans(BuildPlans());
  return *kPlans;
}

void Walk(const Message& object, const Plan& plan, Trail& trail,
          const SaneTimes& times, std::vector<v1::FieldViolation>* out) {
  for (const auto& [field, rule] : plan.checks) {
    if (!Holds(object, *field, *rule, times)) {
      Report(trail, rule->field, rule->reason, out);
    }
  }
  if (const auto* order =
          plan.is_order
              ? google::protobuf::DynamicCastToGenerated<voucherify::v1::Order>(
                    &object)
              : nullptr) {
    CheckOrder(*order, trail, out);
  }
  // On into the objects inside, in field-number order.
  const Reflection& r = *object.GetReflection();
  for (const auto& [field, inner] : plan.children) {
    if (!field->is_repeated()) {
      if (r.HasField(object, field)) {
        trail.push_back({field, -1});
        Walk(r.GetMessage(object, field), *inner, trail, times, out);
        trail.pop_back();
      }
      continue;
    }
    const int size = r.FieldSize(object, field);
    for (int i = 0; i < size; ++i) {
      trail.push_back({field, i});
      Walk(r.GetRepeatedMessage(object, field, i), *inner, trail, times, out);
      trail.pop_back();
    }
  }
}

}  // namespace

void CheckObjects(const Message& body, const SaneTimes& times,
                  std::vector<v1::FieldViolation>* out) {
  auto it = AllPlans().find(body.GetDescriptor());
  if (it == AllPlans().end()) {
    return;  // Not a Voucherify body (`data`).
  }
  Trail trail;
  trail.reserve(8);
  Walk(body, it->second, trail, times, out);
}

}  // namespace vouchstream::core

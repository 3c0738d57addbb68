#include "service/core/validator.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "re2/re2.h"

#include "common/event_type.h"
#include "common/proto_time.h"
#include "service/core/bad_request.h"
#include "service/core/body_path.h"
#include "service/core/body_shape.h"
#include "service/core/object_rules.h"

namespace vouchstream::core {
namespace {

using ::google::protobuf::Timestamp;
using ::voucherify::v1::PublicationSucceeded;
using ::voucherify::v1::Voucher;

// The envelope's id formats (the body's objects: object_rules.h), compiled once
// for the life of the process (RE2 is thread-safe for matching).
struct Formats {
  RE2 user_id{"user_[0-9A-Za-z_-]+"};
  RE2 envelope_id{"whs_[0-9A-Za-z_-]+"};
  // "ev" + the event kind's letters + "_", e.g. "evvou_...", "evred_...".
  RE2 event_id{"ev[A-Za-z]*_[0-9A-Za-z_-]+"};
};

const Formats& Format() {
  static const Formats* const kFormats = new Formats();
  return *kFormats;
}

// What a rule looks at. `publication` is set for publication.succeeded;
// `voucher` only while voucher rules run.
struct Subject {
  const v1::Event& event;
  const Validator::Options& options;
  absl::Time received_at;
  const PublicationSucceeded* publication = nullptr;
  const Voucher* voucher = nullptr;
  // The voucher ids of `vouchers[]` then the singular `voucher` (if not
  // already listed), as the Enricher lists them.
  std::vector<absl::string_view> voucher_ids;
};

// Which events a rule applies to.
enum class Scope {
  kEvent,        // every event
  kPublication,  // publication.succeeded bodies
  kVoucher,      // each voucher of a publication.succeeded body
};

struct Rule {
  Scope scope;
  // JSON path relative to the event body; the envelope's fields are under
  // "envelope.". For kVoucher rules "vouchers[*]" stands for the voucher's
  // own path ("vouchers[2]" or "voucher").
  absl::string_view field;
  absl::string_view reason;
  // True when the subject keeps the rule.
  bool (*holds)(const Subject&);
};

// --- Checks the table is written in. An absent optional value keeps every
// format rule; `Required` rules catch absence where it matters.

bool Required(absl::string_view value) { return !value.empty(); }

bool Matches(absl::string_view value, const RE2& re) {
  return value.empty() ||
         RE2::FullMatch(re2::StringPiece(value.data(), value.size()), re);
}

bool SaneTime(const Subject& s, bool present, const Timestamp& ts) {
  if (!present) {
    return true;
  }
  const absl::Time time = common::ToAbslTime(ts);
  return time >= s.options.earliest &&
         time <= s.received_at + s.options.max_clock_skew;
}

// Empty is left to the "is required" rule.
bool WellFormedType(absl::string_view type) {
  return type.empty() || common::IsValidEventType(type);
}

bool SameOrAbsent(absl::string_view a, absl::string_view b) {
  return a.empty() || b.empty() || a == b;
}

// `vouchers_id` lists the same ids as the vouchers, in any order.
bool SameVoucherIds(const Subject& s) {
  const auto& listed = s.publication->publication().vouchers_id();
  if (listed.empty()) {
    return true;  // Optional in the contract; nothing to compare.
  }
  std::vector<absl::string_view> a(listed.begin(), listed.end());
  std::vector<absl::string_view> b = s.voucher_ids;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

const voucherify::v1::WebhookEnvelope& Envelope(const Subject& s) {
  return s.event.envelope();
}
const voucherify::v1::Publication& Publication(const Subject& s) {
  return s.publication->publication();
}
const voucherify::v1::Customer& Customer(const Subject& s) {
  return s.publication->customer();
}
const Voucher& TheVoucher(const Subject& s) { return *s.voucher; }

constexpr absl::string_view kSaneTime =
    "is before the earliest sane time or in the future";

// The rules, in the order violations are reported. Each row: which events,
// the field, the reason a reader sees, and the check.
// clang-format off
// A C array: the table reads top to bottom, and std::array would need its
// length kept in step by hand (std::to_array is C++20).
const Rule kRules[] = {  // NOLINT(modernize-avoid-c-arrays)
  // Every event.
  {Scope::kEvent, "id", "is required",
   [](const Subject& s) { return Required(s.event.id()); }},
  {Scope::kEvent, "type", "is required",
   [](const Subject& s) { return Required(s.event.type()); }},
  {Scope::kEvent, "type", common::kEventTypeRule,
   [](const Subject& s) { return WellFormedType(s.event.type()); }},
  {Scope::kEvent, "received_at", "is required (set by the server)",
   [](const Subject& s) { return s.event.has_received_at(); }},
  {Scope::kEvent, "envelope.id", R"(must be "whs_" followed by an id)",
   [](const Subject& s) {
     return Matches(Envelope(s).id(), Format().envelope_id); }},
  {Scope::kEvent, "envelope.event.id",
   R"(must be "ev", the event kind's letters, "_" and an id)",
   [](const Subject& s) {
     return Matches(Envelope(s).event().id(), Format().event_id); }},
  {Scope::kEvent, "envelope.event.event_source.user.id",
   R"(must be "user_" followed by an id)",
   [](const Subject& s) {
     return Matches(Envelope(s).event().event_source().user().id(),
                    Format().user_id); }},
  {Scope::kEvent, "envelope.created_at",
   kSaneTime,
   [](const Subject& s) {
     return SaneTime(s, Envelope(s).has_created_at(),
                     Envelope(s).created_at()); }},
  {Scope::kEvent, "envelope.event.created_at",
   kSaneTime,
   [](const Subject& s) {
     return SaneTime(s, Envelope(s).event().has_created_at(),
                     Envelope(s).event().created_at()); }},

  // publication.succeeded: required fields.
  {Scope::kPublication, "publication.id", "is required",
   [](const Subject& s) { return Required(Publication(s).id()); }},
  {Scope::kPublication, "publication.customer_id", "is required",
   [](const Subject& s) { return Required(Publication(s).customer_id()); }},
  {Scope::kPublication, "customer.id", "is required",
   [](const Subject& s) { return Required(Customer(s).id()); }},
  {Scope::kPublication, "campaign.id", "is required",
   [](const Subject& s) {
     return Required(s.publication->campaign().id()); }},
  {Scope::kPublication, "vouchers", "at least one voucher is required "
   "(in vouchers[] or voucher)",
   [](const Subject& s) { return !s.voucher_ids.empty(); }},

  // publication.succeeded: cross-field consistency.
  {Scope::kPublication, "publication.customer_id", "must equal customer.id",
   [](const Subject& s) {
     return SameOrAbsent(Publication(s).customer_id(), Customer(s).id()); }},
  {Scope::kPublication, "publication.customer.id", "must equal customer.id",
   [](const Subject& s) {
     return SameOrAbsent(Publication(s).customer().id(), Customer(s).id()); }},
  {Scope::kPublication, "publication.vouchers_id",
   "must list the ids of vouchers[] (and voucher)",
   [](const Subject& s) { return SameVoucherIds(s); }},

  // Each voucher of a publication.succeeded body.
  {Scope::kVoucher, "vouchers[*].id", "is required",
   [](const Subject& s) { return Required(TheVoucher(s).id()); }},
  {Scope::kVoucher, "vouchers[*].code", "is required",
   [](const Subject& s) { return Required(TheVoucher(s).code()); }},
  {Scope::kVoucher, "vouchers[*].campaign_id", "must equal campaign.id",
   [](const Subject& s) {
     return SameOrAbsent(TheVoucher(s).campaign_id(),
                         s.publication->campaign().id()); }},
  {Scope::kVoucher, "vouchers[*].holder_id", "must equal customer.id",
   [](const Subject& s) {
     return SameOrAbsent(TheVoucher(s).holder_id(), Customer(s).id()); }},
};
// clang-format on

constexpr absl::string_view kVoucherPlaceholder = "vouchers[*]";

void Report(const Rule& rule, absl::string_view voucher_path,
            std::vector<v1::FieldViolation>* out) {
  v1::FieldViolation& violation = out->emplace_back();
  if (rule.scope == Scope::kVoucher) {
    violation.set_field(absl::StrCat(
        voucher_path, rule.field.substr(kVoucherPlaceholder.size())));
  } else {
    violation.set_field(static_cast<std::string>(rule.field));
  }
  violation.set_description(static_cast<std::string>(rule.reason));
}

// The vouchers the rules look at: `vouchers[]`, then the singular `voucher`
// unless one with its id is listed. Each comes with the path it is reported
// under; their ids go to `subject->voucher_ids`.
std::vector<std::pair<const Voucher*, std::string>> CollectVouchers(
    const PublicationSucceeded& body, Subject* subject) {
  std::vector<std::pair<const Voucher*, std::string>> vouchers;
  for (int i = 0; i < body.vouchers_size(); ++i) {
    vouchers.emplace_back(&body.vouchers(i), absl::StrCat("vouchers[", i, "]"));
    subject->voucher_ids.emplace_back(body.vouchers(i).id());
  }
  if (!body.has_voucher()) {
    return vouchers;
  }
  const std::vector<absl::string_view>& ids = subject->voucher_ids;
  const absl::string_view id = body.voucher().id();
  // An id-less singular voucher is checked too, so that its "id is
  // required" is reported.
  if (id.empty() || std::find(ids.begin(), ids.end(), id) == ids.end()) {
    vouchers.emplace_back(&body.voucher(), "voucher");
    subject->voucher_ids.push_back(id);
  }
  return vouchers;
}

}  // namespace

Validator::Validator(const Options& options) : options_(options) {}

std::vector<v1::FieldViolation> Validator::Check(const v1::Event& event) const {
  Subject subject{event,
                  options_,
                  event.has_received_at()
                      ? common::ToAbslTime(event.received_at())
                      : absl::Now(),
                  nullptr,
                  nullptr,
                  {}};
  std::vector<std::pair<const Voucher*, std::string>> vouchers;
  if (event.has_publication_succeeded()) {
    subject.publication = &event.publication_succeeded();
    vouchers = CollectVouchers(event.publication_succeeded(), &subject);
  }

  std::vector<v1::FieldViolation> violations;
  // A bare body re-posted under another type's URL first: nothing else
  // about it is worth reporting.
  if (std::optional<v1::FieldViolation> shape = CheckBareBodyShape(event)) {
    violations.push_back(*std::move(shape));
  }
  // Event and publication rules first, then each voucher's, so that a
  // voucher's violations stay together.
  for (const Rule& rule : kRules) {
    const bool applies =
        rule.scope == Scope::kEvent ||
        (rule.scope == Scope::kPublication && subject.publication != nullptr);
    if (applies && !rule.holds(subject)) {
      Report(rule, "", &violations);
    }
  }
  // Every typed body's objects, wherever they occur (object_rules.h).
  if (const google::protobuf::Message* body = EventBody(event);
      body != nullptr && !event.has_data()) {
    CheckObjects(
        *body,
        {options_.earliest, subject.received_at + options_.max_clock_skew},
        &violations);
  }
  for (const auto& [voucher, path] : vouchers) {
    subject.voucher = voucher;
    for (const Rule& rule : kRules) {
      if (rule.scope == Scope::kVoucher && !rule.holds(subject)) {
        Report(rule, path, &violations);
      }
    }
  }
  return violations;
}

absl::Status Validator::Validate(const v1::Event& event) const {
  return BadRequestError(Check(event));
}

absl::Status Validator::Admit(const v1::Event& event) {
  if (WellFormedType(event.type())) {
    return absl::OkStatus();
  }
  v1::FieldViolation violation;
  violation.set_field("type");
  violation.set_description(std::string{common::kEventTypeRule});
  return BadRequestError({violation});
}

}  // namespace vouchstream::core

#include "service/core/enricher.h"

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"

#include "service/core/discount_summary.h"
#include "service/core/typed_payload.h"

namespace vouchstream::core {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Timestamp;
using ::google::protobuf::Value;
using ::voucherify::v1::Discount;
using ::voucherify::v1::PublicationSucceeded;
using ::voucherify::v1::Voucher;

absl::Time ToTime(const Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// --- Best-effort reading of untyped (`data` Struct) bodies.

const Value* Field(const Struct& object, absl::string_view key) {
  auto it = object.fields().find(static_cast<std::string>(key));
  return it == object.fields().end() ? nullptr : &it->second;
}

const std::string& EmptyString() {
  static const std::string* const kEmpty = new std::string();
  return *kEmpty;
}

// The string at `path` (object keys from `root`), or "" when absent or not a
// string.
const std::string& StringAt(const Struct& root,
                            std::initializer_list<absl::string_view> path) {
  const Struct* object = &root;
  const Value* value = nullptr;
  for (absl::string_view key : path) {
    value = object == nullptr ? nullptr : Field(*object, key);
    if (value == nullptr) {
      return EmptyString();
    }
    object = value->has_struct_value() ? &value->struct_value() : nullptr;
  }
  if (value == nullptr || !value->has_string_value()) {
    return EmptyString();
  }
  return value->string_value();
}

// The first non-empty string among `paths`.
const std::string& FirstStringAt(
    const Struct& root,
    std::initializer_list<std::initializer_list<absl::string_view>> paths) {
  for (const auto& path : paths) {
    const std::string& value = StringAt(root, path);
    if (!value.empty()) {
      return value;
    }
  }
  return EmptyString();
}

// The voucher objects of an untyped body: `vouchers[]` and `voucher`.
std::vector<const Struct*> UntypedVouchers(const Struct& data) {
  std::vector<const Struct*> out;
  if (const Value* list = Field(data, "vouchers");
      list != nullptr && list->has_list_value()) {
    for (const Value& item : list->list_value().values()) {
      if (item.has_struct_value()) {
        out.push_back(&item.struct_value());
      }
    }
  }
  if (const Value* single = Field(data, "voucher");
      single != nullptr && single->has_struct_value()) {
    out.push_back(&single->struct_value());
  }
  return out;
}

// --- Typed (publication.succeeded) bodies.

// `vouchers[]`, then the singular `voucher` unless a voucher with its id is
// already listed.
std::vector<const Voucher*> TypedVouchers(const PublicationSucceeded& body) {
  std::vector<const Voucher*> out;
  out.reserve(body.vouchers_size() + 1);
  for (const Voucher& voucher : body.vouchers()) {
    out.push_back(&voucher);
  }
  if (body.has_voucher()) {
    bool listed = false;
    for (const Voucher& voucher : body.vouchers()) {
      listed = listed || voucher.id() == body.voucher().id();
    }
    if (!listed) {
      out.push_back(&body.voucher());
    }
  }
  return out;
}

// Adds `facts` to `out` without overwriting what is there.
void MergeFacts(const std::map<std::string, std::string>& facts,
                google::protobuf::Map<std::string, std::string>* out) {
  for (const auto& [key, value] : facts) {
    out->insert({key, value});
  }
}

void AddProductFacts(const Discount& discount, const ReferenceData& reference,
                     google::protobuf::Map<std::string, std::string>* out) {
  if (discount.type() != Discount::UNIT || reference.products.empty()) {
    return;
  }
  auto add = [&](const std::string& product) {
    auto it = reference.products.find(product);
    if (it != reference.products.end()) {
      MergeFacts(it->second, out);
    }
  };
  add(discount.unit_type());
  for (const auto& unit : discount.units()) {
    add(unit.unit_type());
  }
}

void AddCampaignFacts(const ReferenceData& reference,
                      v1::Enrichment* enrichment) {
  if (auto it = reference.campaigns.find(enrichment->campaign_id());
      it != reference.campaigns.end()) {
    MergeFacts(it->second, enrichment->mutable_reference());
  }
}

// campaign_id, customer_id and customer_region of a publication.
void SetPublicationKeys(const PublicationSucceeded& body,
                        const std::vector<const Voucher*>& vouchers,
                        v1::Enrichment* enrichment) {
  enrichment->set_campaign_id(body.campaign().id());
  for (const Voucher* voucher : vouchers) {
    if (!enrichment->campaign_id().empty()) {
      break;
    }
    enrichment->set_campaign_id(voucher->campaign_id());
  }
  enrichment->set_customer_id(!body.customer().id().empty()
                                  ? body.customer().id()
                                  : body.publication().customer_id());
  for (const voucherify::v1::Customer* customer :
       {&body.customer(), &body.publication().customer()}) {
    if (const Value* region = Field(customer->metadata(), "region");
        region != nullptr && region->has_string_value()) {
      enrichment->set_customer_region(region->string_value());
      break;
    }
  }
}

// The facts of one voucher; `matcher` is null when the campaign has no
// usable code_config. Returns false when the code misses the config.
bool AddVoucherFacts(const Voucher& voucher,
                     const voucherify::v1::VoucherTemplate& campaign_template,
                     const CodeConfigMatcher* matcher,
                     const ReferenceData& reference,
                     v1::Enrichment* enrichment) {
  v1::VoucherFacts& facts = *enrichment->add_vouchers();
  facts.set_voucher_id(voucher.id());
  facts.set_code(voucher.code());
  // Without a config there is nothing to miss: false, but no flag.
  if (matcher != nullptr) {
    facts.set_code_matches_config(matcher->Matches(voucher.code()));
  }
  // The voucher's own discount and redemption, else the template's.
  const Discount& discount = voucher.discount().has_type()
                                 ? voucher.discount()
                                 : campaign_template.discount();
  facts.set_discount_summary(DiscountSummary(
      discount, [&reference](absl::string_view id) -> std::string {
        auto product = reference.products.find(static_cast<std::string>(id));
        if (product == reference.products.end()) {
          return "";
        }
        auto name = product->second.find("product_name");
        return name == product->second.end() ? "" : name->second;
      }));
  const voucherify::v1::Redemption& redemption =
      voucher.has_redemption() ? voucher.redemption()
                               : campaign_template.redemption();
  if (redemption.has_quantity()) {
    facts.set_redemptions_left(redemption.quantity() -
                               redemption.redeemed_quantity());
  }
  AddProductFacts(discount, reference, enrichment->mutable_reference());
  return matcher == nullptr || facts.code_matches_config();
}

void EnrichUntyped(const Struct& data, const ReferenceData& reference,
                   v1::Enrichment* enrichment) {
  const std::vector<const Struct*> vouchers = UntypedVouchers(data);
  enrichment->set_campaign_id(
      FirstStringAt(data, {{"campaign", "id"},
                           {"voucher", "campaign_id"},
                           {"redemption", "campaign_id"},
                           {"publication", "campaign_id"},
                           {"campaign_id"}}));
  for (const Struct* voucher : vouchers) {
    if (!enrichment->campaign_id().empty()) {
      break;
    }
    enrichment->set_campaign_id(StringAt(*voucher, {"campaign_id"}));
  }
  enrichment->set_customer_id(
      FirstStringAt(data, {{"customer", "id"},
                           {"publication", "customer_id"},
                           {"redemption", "customer_id"},
                           {"order", "customer_id"},
                           {"voucher", "holder_id"},
                           {"customer_id"}}));
  enrichment->set_customer_region(
      StringAt(data, {"customer", "metadata", "region"}));
  // Codes let subscribers filter on them; code_config and discounts are
  // left to the contract's typed events.
  for (const Struct* voucher : vouchers) {
    v1::VoucherFacts& facts = *enrichment->add_vouchers();
    facts.set_voucher_id(StringAt(*voucher, {"id"}));
    facts.set_code(StringAt(*voucher, {"code"}));
  }
  AddCampaignFacts(reference, enrichment);
}

}  // namespace

Enricher::Enricher(std::shared_ptr<const ReferenceStore> reference)
    : reference_(std::move(reference)),
      matchers_(std::make_shared<CodeConfigMatcherCache>()) {}

void Enricher::Enrich(v1::Event* event) const {
  v1::Enrichment& enrichment = *event->mutable_enrichment();
  enrichment.Clear();
  const std::shared_ptr<const ReferenceData> reference =
      reference_ != nullptr ? reference_->Get()
                            : std::make_shared<const ReferenceData>();
  const voucherify::v1::WebhookEnvelope& envelope = event->envelope();

  // Origin time: the event's own, else the publication's, else the send-out.
  const Timestamp* origin = nullptr;
  if (envelope.event().has_created_at()) {
    origin = &envelope.event().created_at();
  } else if (event->has_publication_succeeded() &&
             event->publication_succeeded().publication().has_created_at()) {
    origin = &event->publication_succeeded().publication().created_at();
  } else if (envelope.has_created_at()) {
    origin = &envelope.created_at();
  }
  if (origin != nullptr) {
    *enrichment.mutable_origin_created_at() = *origin;
    if (event->has_received_at()) {
      // Truncating division keeps seconds and nanos of one sign, as
      // google.protobuf.Duration requires (a negative lag is clock skew).
      absl::Duration nanos;
      const int64_t seconds =
          absl::IDivDuration(ToTime(event->received_at()) - ToTime(*origin),
                             absl::Seconds(1), &nanos);
      enrichment.mutable_delivery_lag()->set_seconds(seconds);
      enrichment.mutable_delivery_lag()->set_nanos(
          static_cast<int32_t>(absl::ToInt64Nanoseconds(nanos)));
    }
  }

  if (event->has_publication_succeeded()) {
    EnrichPublication(event->publication_succeeded(), *reference, &enrichment);
  } else if (event->has_data()) {
    EnrichUntyped(event->data(), *reference, &enrichment);
  } else if (const google::protobuf::Message* typed = TypedPayload(*event)) {
    // Types without their own enrichment yet get what untyped bodies get
    // (campaign, customer, voucher codes), read from the same JSON shape.
    // TODO(contract): enrichment per event family (#13).
    EnrichUntyped(TypedPayloadAsStruct(*typed), *reference, &enrichment);
  }

  if (!event->unknown_fields().empty()) {
    enrichment.add_flags(v1::Enrichment::FLAG_UNKNOWN_FIELDS);
  }
  if (!event->odd_values().empty()) {
    enrichment.add_flags(v1::Enrichment::FLAG_ODD_VALUES);
  }
}

void Enricher::EnrichPublication(const PublicationSucceeded& body,
                                 const ReferenceData& reference,
                                 v1::Enrichment* enrichment) const {
  const std::vector<const Voucher*> vouchers = TypedVouchers(body);
  SetPublicationKeys(body, vouchers, enrichment);
  // Campaign facts first: on a clash with a product's, they win.
  AddCampaignFacts(reference, enrichment);

  // One matcher serves every voucher: they share the campaign's config.
  const voucherify::v1::VoucherTemplate& campaign_template =
      body.campaign().voucher();
  std::optional<CodeConfigMatcher> matcher;
  if (campaign_template.has_code_config()) {
    absl::StatusOr<CodeConfigMatcher> compiled =
        matchers_->Get(campaign_template.code_config());
    if (compiled.ok()) {
      matcher = *std::move(compiled);
    }
  }
  bool codes_match = true;
  for (const Voucher* voucher : vouchers) {
    // Every voucher gets its facts, so the call comes first.
    codes_match = AddVoucherFacts(*voucher, campaign_template,
                                  matcher.has_value() ? &*matcher : nullptr,
                                  reference, enrichment) &&
                  codes_match;
  }

  if (!codes_match) {
    enrichment->add_flags(v1::Enrichment::FLAG_CODE_NOT_MATCHING_CONFIG);
  }
  if (!body.has_user()) {
    enrichment->add_flags(v1::Enrichment::FLAG_USER_ABSENT);
  }
  if (body.has_voucher()) {
    enrichment->add_flags(v1::Enrichment::FLAG_SINGULAR_VOUCHER);
  }
}

}  // namespace vouchstream::core

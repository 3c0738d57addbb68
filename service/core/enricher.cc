#include "service/core/enricher.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

#include "vouchstream/v1/options.pb.h"

#include "common/proto_time.h"
#include "service/core/body_path.h"
#include "service/core/discount_summary.h"

namespace vouchstream::core {
namespace {

using ::google::protobuf::Timestamp;
using ::voucherify::v1::Discount;
using ::voucherify::v1::Voucher;

// The body paths an Enrichment field is read from, in the order the
// contract lists them (`derived_from` on the field): the first that gives a
// value wins.
std::vector<BodyPath> SourcePaths(
    const google::protobuf::RepeatedPtrField<std::string>& paths) {
  return {paths.begin(), paths.end()};
}

std::vector<BodyPath> SourcePaths(absl::string_view enrichment_field) {
  const google::protobuf::FieldDescriptor* field =
      v1::Enrichment::descriptor()->FindFieldByName(
          std::string{enrichment_field});
  return SourcePaths(field->options().GetRepeatedExtension(v1::derived_from));
}

// Where the enricher looks, read once from the contract.
struct Sources {
  std::vector<BodyPath> origin = SourcePaths("origin_created_at");
  std::vector<BodyPath> campaign_id = SourcePaths("campaign_id");
  std::vector<BodyPath> customer_id = SourcePaths("customer_id");
  std::vector<BodyPath> customer_region = SourcePaths("customer_region");
  // The voucher objects (`derived_from_presence` of `vouchers`).
  std::vector<BodyPath> vouchers =
      SourcePaths(v1::Enrichment::descriptor()
                      ->FindFieldByName("vouchers")
                      ->options()
                      .GetRepeatedExtension(v1::derived_from_presence));
  // The campaign's voucher template: code_config, default discount and
  // redemption limits of the vouchers it generates.
  std::vector<BodyPath> campaign_template = {BodyPath("campaign.voucher")};
  BodyPath id{"id"};
  BodyPath code{"code"};
};

const Sources& Source() {
  static const Sources* const kSources = new Sources();
  return *kSources;
}

std::string FirstStringAt(const google::protobuf::Message& body,
                          const std::vector<BodyPath>& paths) {
  for (const BodyPath& path : paths) {
    std::string value = core::FirstStringAt(body, path);
    if (!value.empty()) {
      return value;
    }
  }
  return "";
}

// The first typed message of type T among `paths`, or nullptr.
template <typename T>
const T* FirstObjectAt(const google::protobuf::Message& body,
                       const std::vector<BodyPath>& paths) {
  const T* found = nullptr;
  for (const BodyPath& path : paths) {
    ForEachAt(body, path, [&found](const BodyValue& value) {
      found = AsGenerated<T>(value.object);
      return found == nullptr;
    });
    if (found != nullptr) {
      return found;
    }
  }
  return nullptr;
}

// The voucher objects, in the order of `Sources::vouchers` (`vouchers[]`,
// then the singular `voucher`), each id once: a voucher whose id is already
// listed is left out.
std::vector<const google::protobuf::Message*> Vouchers(
    const google::protobuf::Message& body) {
  std::vector<const google::protobuf::Message*> out;
  std::vector<std::string> ids;
  for (const BodyPath& path : Source().vouchers) {
    for (const google::protobuf::Message* voucher : ObjectsAt(body, path)) {
      std::string id = core::FirstStringAt(*voucher, Source().id);
      if (!id.empty() && std::find(ids.begin(), ids.end(), id) != ids.end()) {
        continue;
      }
      ids.push_back(std::move(id));
      out.push_back(voucher);
    }
  }
  return out;
}

// Whether the body's message declares a field named `name`.
bool Declares(const google::protobuf::Message& body, absl::string_view name) {
  return body.GetDescriptor()->FindFieldByName(std::string{name}) != nullptr;
}

bool Has(const google::protobuf::Message& body, absl::string_view name) {
  const google::protobuf::FieldDescriptor* field =
      body.GetDescriptor()->FindFieldByName(std::string{name});
  return field != nullptr && !field->is_repeated() &&
         body.GetReflection()->HasField(body, field);
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
  const google::protobuf::Message* body = EventBody(*event);

  // Origin time: the event's own, else the body's (`origin_created_at`'s
  // paths), else the send-out.
  const Timestamp* origin = nullptr;
  if (envelope.event().has_created_at()) {
    origin = &envelope.event().created_at();
  } else if (const Timestamp* in_body =
                 body == nullptr
                     ? nullptr
                     : FirstObjectAt<Timestamp>(*body, Source().origin)) {
    origin = in_body;
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
          absl::IDivDuration(common::ToAbslTime(event->received_at()) -
                                 common::ToAbslTime(*origin),
                             absl::Seconds(1), &nanos);
      enrichment.mutable_delivery_lag()->set_seconds(seconds);
      enrichment.mutable_delivery_lag()->set_nanos(
          static_cast<int32_t>(absl::ToInt64Nanoseconds(nanos)));
    }
  }

  if (body != nullptr) {
    EnrichBody(*body, *reference, &enrichment);
  }
  if (!event->unknown_fields().empty()) {
    enrichment.add_flags(v1::Enrichment::FLAG_UNKNOWN_FIELDS);
  }
  if (!event->odd_values().empty()) {
    enrichment.add_flags(v1::Enrichment::FLAG_ODD_VALUES);
  }
}

void Enricher::EnrichBody(const google::protobuf::Message& body,
                          const ReferenceData& reference,
                          v1::Enrichment* enrichment) const {
  const Sources& source = Source();
  enrichment->set_campaign_id(FirstStringAt(body, source.campaign_id));
  enrichment->set_customer_id(FirstStringAt(body, source.customer_id));
  enrichment->set_customer_region(FirstStringAt(body, source.customer_region));
  // Campaign facts first: on a clash with a product's, they win.
  AddCampaignFacts(reference, enrichment);

  // One matcher serves every voucher: they share the campaign's config.
  const auto* found_template = FirstObjectAt<voucherify::v1::VoucherTemplate>(
      body, source.campaign_template);
  const voucherify::v1::VoucherTemplate& campaign_template =
      found_template != nullptr
          ? *found_template
          : voucherify::v1::VoucherTemplate::default_instance();
  std::optional<CodeConfigMatcher> matcher;
  if (campaign_template.has_code_config()) {
    absl::StatusOr<CodeConfigMatcher> compiled =
        matchers_->Get(campaign_template.code_config());
    if (compiled.ok()) {
      matcher = *std::move(compiled);
    }
  }
  bool codes_match = true;
  for (const google::protobuf::Message* voucher : Vouchers(body)) {
    if (const auto* typed = AsGenerated<Voucher>(voucher)) {
      // Every voucher gets its facts, so the call comes first.
      codes_match = AddVoucherFacts(*typed, campaign_template,
                                    matcher.has_value() ? &*matcher : nullptr,
                                    reference, enrichment) &&
                    codes_match;
    } else {
      // An untyped voucher: its id and code let subscribers filter on it;
      // code_config and discounts need the contract's types.
      v1::VoucherFacts& facts = *enrichment->add_vouchers();
      facts.set_voucher_id(core::FirstStringAt(*voucher, source.id));
      facts.set_code(core::FirstStringAt(*voucher, source.code));
    }
  }

  if (!codes_match) {
    enrichment->add_flags(v1::Enrichment::FLAG_CODE_NOT_MATCHING_CONFIG);
  }
  // Quirks of the bodies whose type declares the fields: `user` null (made
  // through the API), a singular `voucher` besides `vouchers[]`.
  if (Declares(body, "user") && !Has(body, "user")) {
    enrichment->add_flags(v1::Enrichment::FLAG_USER_ABSENT);
  }
  if (Declares(body, "vouchers") && Has(body, "voucher")) {
    enrichment->add_flags(v1::Enrichment::FLAG_SINGULAR_VOUCHER);
  }
}

}  // namespace vouchstream::core

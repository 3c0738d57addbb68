#pragma once
// Fills `Event.enrichment` with the facts that need no disk: server facts
// (delivery lag), derived facts (voucher codes, whether each matches its
// campaign's code_config, a discount summary, redemptions left, customer
// region, campaign and customer ids, data-quirk flags) and reference facts
// from the operator's reference data. History facts come from the EventLog
// at append (see event_log.h).
//
// What goes where (see event.proto for the fields):
//   delivery_lag       received_at - origin_created_at, where the origin is
//                      the envelope's `event.created_at`, else
//                      `publication.created_at`, else the envelope's
//                      `created_at`. Negative when clocks disagree.
//   campaign_id,       publication.succeeded: `campaign.id` (else a
//   customer_id        voucher's `campaign_id`), `customer.id` (else
//                      `publication.customer_id`). Other types, best effort
//                      from `data`: `campaign.id`, `voucher.campaign_id`,
//                      `customer.id`, `publication.customer_id`, ...
//   vouchers           `vouchers[]`, then the singular `voucher` unless a
//                      voucher with its id is listed. code_matches_config
//                      is false when the campaign has no code_config (and
//                      then no flag is raised). The discount is the
//                      voucher's own, else the campaign template's; see
//                      discount_summary.h. Untyped bodies get ids and codes.
//   customer_region    the customer's (else the publication's customer's)
//                      metadata "region", when it is a string.
//   reference          `campaigns[campaign_id]` facts, then `products[P]`
//                      facts for each UNIT discount's product P; the first
//                      writer of a key wins. Product names in summaries come
//                      from the `product_name` fact.
//   flags              CODE_NOT_MATCHING_CONFIG, USER_ABSENT and
//                      SINGULAR_VOUCHER (publication.succeeded only),
//                      UNKNOWN_FIELDS (`unknown_fields` not empty).
// `history` is left to the EventLog.
//
// Thread-safe: Enrich may be called from many threads at once.

#include <memory>

#include "voucherify/v1/events.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/core/code_config_matcher.h"
#include "service/core/reference_data.h"

namespace vouchstream::core {

class Enricher {
 public:
  // `reference` may be reloaded while the Enricher is in use; null means
  // no reference data. Copies share one cache of compiled code matchers.
  explicit Enricher(std::shared_ptr<const ReferenceStore> reference);

  // Writes `event->enrichment()` from the rest of `event`, replacing what
  // was there; `received_at` must be set (else there is no delivery lag).
  // Never fails: what cannot be derived is left unset.
  void Enrich(v1::Event* event) const;

 private:
  void EnrichPublication(const voucherify::v1::PublicationSucceeded& body,
                         const ReferenceData& reference,
                         v1::Enrichment* enrichment) const;

  std::shared_ptr<const ReferenceStore> reference_;
  // Thread-safe itself; shared so that Enricher stays copyable.
  std::shared_ptr<CodeConfigMatcherCache> matchers_;
};

}  // namespace vouchstream::core

#pragma once
// Fills `Event.enrichment` with the facts that need no disk: server facts
// (delivery lag), derived facts (voucher codes, whether each matches its
// campaign's code_config, a discount summary, redemptions left, customer
// region, campaign and customer ids, data-quirk flags) and reference facts
// from the operator's reference data. History facts come from the EventLog
// at append (see event_log.h).
//
// What goes where (see event.proto for the fields). Every event type goes
// through the same code: the body, typed or untyped, is read at the paths
// the contract declares on the Enrichment fields (`derived_from`, in order:
// the first path with a value wins), see body_path.h.
//   delivery_lag       received_at - origin_created_at, where the origin is
//                      the envelope's `event.created_at`, else the body's
//                      (origin_created_at's paths), else the envelope's
//                      `created_at`. Negative when clocks disagree.
//   campaign_id,       the first non-empty string at the field's paths,
//   customer_id,       e.g. `campaign.id`, then `campaign_id`, then
//   customer_region    `voucher.campaign_id`, ...
//   vouchers           the objects at `vouchers`, then at `voucher`
//                      (`derived_from_presence`), each id once. A typed
//                      voucher (any family) gets code_matches_config
//                      against `campaign.voucher.code_config` (false when
//                      the body has no code_config, and then no flag is
//                      raised), a discount summary (the voucher's own
//                      discount, else the campaign template's; see
//                      discount_summary.h) and redemptions left; an untyped
//                      one its id and code.
//   reference          `campaigns[campaign_id]` facts, then `products[P]`
//                      facts for each UNIT discount's product P; the first
//                      writer of a key wins. Product names in summaries come
//                      from the `product_name` fact.
//   flags              CODE_NOT_MATCHING_CONFIG; USER_ABSENT and
//                      SINGULAR_VOUCHER where the body's type declares
//                      `user` / both `vouchers` and `voucher`
//                      (publication.succeeded); UNKNOWN_FIELDS and
//                      ODD_VALUES from the transcoder's reports.
// `history` is left to the EventLog.
//
// Thread-safe: Enrich may be called from many threads at once.

#include <memory>

#include "google/protobuf/message.h"

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
  // Everything read from the body, typed or untyped alike.
  void EnrichBody(const google::protobuf::Message& body,
                  const ReferenceData& reference,
                  v1::Enrichment* enrichment) const;

  std::shared_ptr<const ReferenceStore> reference_;
  // Thread-safe itself; shared so that Enricher stays copyable.
  std::shared_ptr<CodeConfigMatcherCache> matchers_;
};

}  // namespace vouchstream::core

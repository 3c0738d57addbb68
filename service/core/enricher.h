#pragma once
// Fills `Event.enrichment` with the facts that need no disk: server facts
// (delivery lag), derived facts (voucher codes, whether each matches its
// campaign's code_config, a discount summary, redemptions left, customer
// region, campaign and customer ids, data-quirk flags) and reference facts
// from the operator's reference data. History facts come from the EventLog
// at append (see event_log.h).
//
// Thread-safe: Enrich may be called from many threads at once.

#include <memory>

#include "vouchstream/v1/event.pb.h"

#include "service/core/reference_data.h"

namespace vouchstream::core {

class Enricher {
 public:
  // `reference` may be reloaded while the Enricher is in use.
  explicit Enricher(std::shared_ptr<const ReferenceStore> reference);

  // Writes `event->enrichment()` from the rest of `event`; `received_at`
  // must be set. Never fails: what cannot be derived is left unset.
  void Enrich(v1::Event* event) const;

 private:
  std::shared_ptr<const ReferenceStore> reference_;
};

}  // namespace vouchstream::core

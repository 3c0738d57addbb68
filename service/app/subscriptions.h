#pragma once
// What a Subscribe call reads: its filter narrowed to the caller's scope, a
// named consumer resumed after its saved cursor, where to start and how
// often to send a heartbeat, as the broker's subscribe options; and each
// event as the caller may see it (redacted, when its principal redacts).
//
//   absl::StatusOr<core::Broker::SubscribeOptions> options =
//       subscriptions.Plan(*principal, request);
//   auto subscription = broker->Subscribe(*std::move(options), ready);
//   ... writer(Subscriptions::View(*principal, *event, &copy));
//
// Thread-safe: const.

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

#include "service/app/cursors.h"
#include "service/auth/principal.h"
#include "service/core/broker.h"

namespace vouchstream::app {

class Subscriptions {
 public:
  // `cursors` must outlive the Subscriptions. `default_heartbeat` applies
  // when a request asks for none.
  explicit Subscriptions(const Cursors* cursors,
                         absl::Duration default_heartbeat = absl::Seconds(15))
      : cursors_(cursors), default_heartbeat_(default_heartbeat) {}

  // The subscription `principal`'s `request` asks for. A request naming a
  // consumer and no start resumes after the consumer's saved cursor (a
  // store read), from the earliest event when it has none.
  // kPermissionDenied (logged) for a filter outside the scope;
  // kInvalidArgument for a bad filter or consumer name.
  absl::StatusOr<core::Broker::SubscribeOptions> Plan(
      const auth::Principal& principal,
      const v1::SubscribeRequest& request) const;

  // `shared` as `principal` may read it: `shared` itself when nothing is
  // redacted for it, else a redacted copy made in `*copy` (the shared event
  // and the store stay intact).
  static const v1::Event& View(const auth::Principal& principal,
                               const v1::Event& shared, v1::Event* copy);

 private:
  const Cursors* const cursors_;
  const absl::Duration default_heartbeat_;
};

}  // namespace vouchstream::app

#pragma once
// Maps an HTTP method and request target to one of the gateway's routes:
//
//   POST /webhooks/voucherify          v2024 envelope        kWebhookEnvelope
//   POST /webhooks/voucherify/{type}   bare body of {type}   kWebhookTyped
//   GET  /healthz                      process up            kHealthz
//   GET  /readyz                       upstream SERVING      kReadyz
//   GET  /metrics                      Prometheus text       kMetrics
//
// A known path with another method is `method_allowed = false` (405); any
// other path is kNotFound (404). The query string is ignored. `{type}` is
// one path segment of [A-Za-z0-9._-], at most 128 characters, e.g.
// `publication.succeeded`.
//
// Thread-safe: a pure function.

#include "absl/strings/string_view.h"

namespace vouchstream::gateway {

enum class Route {
  kWebhookEnvelope,
  kWebhookTyped,
  kHealthz,
  kReadyz,
  kMetrics,
  kNotFound,
};
inline constexpr int kRouteCount = 6;

struct RouteMatch {
  Route route = Route::kNotFound;
  bool method_allowed = false;
  // The event type of kWebhookTyped; a view into the target.
  absl::string_view type;
  // What `Allow` says for a 405, e.g. "POST".
  const char* allow = "";
};

RouteMatch MatchRoute(absl::string_view method, absl::string_view target);

// The metrics label of a route, e.g. "webhook_typed".
const char* RouteLabel(Route route);

}  // namespace vouchstream::gateway

#pragma once
// What every connection and exchange of the gateway shares: the options and
// the long-lived objects `Gateway` owns (gateway/gateway.h). A plain bundle
// of pointers, copied into each connection.
//
// Thread-safety: the pointees must be thread-safe (or immutable) and
// outlive every connection.

#include "gateway/http/gateway_options.h"
#include "gateway/upstream/forwarder.h"
#include "gateway/upstream/upstream_health.h"
#include "gateway/webhook/metrics.h"
#include "gateway/webhook/rate_limiter.h"
#include "gateway/webhook/source_allow_list.h"
#include "gateway/webhook/webhook_secrets.h"

namespace vouchstream::gateway {

struct GatewayContext {
  const GatewayOptions* options = nullptr;
  const WebhookSecrets* secrets = nullptr;  // Null: verification off.
  Forwarder* forwarder = nullptr;
  UpstreamHealth* health = nullptr;
  Metrics* metrics = nullptr;
  const SourceAllowList* allow_list = nullptr;  // Null: everyone.
  RateLimiter* rate_limiter = nullptr;          // Null: no limit.
};

}  // namespace vouchstream::gateway

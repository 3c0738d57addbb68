#pragma once
// Whether a request's source may send it, decided from the connection's
// peer before the request's body is read: the `--allow-from` list (403
// SOURCE_NOT_ALLOWED), then the per-source `--rate-limit` (429
// RATE_LIMITED). The operational routes (/healthz, /readyz, /metrics) skip
// both, so that probes and scrapes always get through.
//
//   std::optional<HttpError> refusal = AdmitSource(context, peer, route);
//
// Thread-safe, as `GatewayContext`'s members are.

#include <optional>

#include <boost/asio/ip/address.hpp>

#include "gateway/http/gateway_context.h"
#include "gateway/webhook/error_mapping.h"
#include "gateway/webhook/router.h"

namespace vouchstream::gateway {

// The refusal for a request on `route` from `source`, counted in the
// metrics, or nothing. A webhook route that is admitted takes a rate-limit
// token: call this once per request.
std::optional<HttpError> AdmitSource(const GatewayContext& context,
                                     const boost::asio::ip::address& source,
                                     Route route);

}  // namespace vouchstream::gateway

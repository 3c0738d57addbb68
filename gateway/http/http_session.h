#pragma once
// One HTTP/1.1 connection of the gateway, plain or HTTPS: reads requests
// one at a time (keep-alive; no pipelining beyond Beast's buffering),
// routes them, and answers each exactly once.
//
// A request is read in two steps, each with its own deadline (see
// `GatewayOptions`): the headers (`header_timeout` from the first byte),
// then the body (`body_timeout` from the end of the headers); `read_timeout`
// bounds both together. A client that misses a deadline gets 408
// REQUEST_TIMEOUT (if it still reads) and the connection closes. Between
// the two steps the source is checked against the allow-list (403
// SOURCE_NOT_ALLOWED) and its rate limit (429 RATE_LIMITED), so a refused
// body is never read. The operational routes (/healthz, /readyz, /metrics)
// skip both checks.
//
// A webhook is verified and transcoded on the I/O thread, then handed to
// the `Forwarder`; the session never waits on gRPC. The ack (or the
// publish deadline, whichever comes first) is posted back to the
// connection's strand, and a generation number makes sure a late ack never
// touches a request that was already answered.
//
//   StartHttpSession(std::move(socket), context, connection);  // Acceptor.
//
// Thread-safety: each session runs on its own strand; `GatewayContext`'s
// members must be thread-safe and outlive every session.

#include <atomic>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

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

// What the acceptor decided about one connection.
struct ConnectionOptions {
  // Non-null: the connection speaks TLS (HTTPS) with this context; the
  // session keeps it alive. The handshake is bounded by `read_timeout`.
  std::shared_ptr<boost::asio::ssl::context> tls;
  // Answer 503 TOO_MANY_CONNECTIONS without reading a request, then close.
  bool refuse = false;
  // Decremented once when the session ends (the acceptor incremented it).
  std::shared_ptr<std::atomic<int>> slot;
};

// Takes over `socket`, whose executor must be a strand.
void StartHttpSession(boost::asio::ip::tcp::socket socket,
                      const GatewayContext& context,
                      ConnectionOptions connection);

}  // namespace vouchstream::gateway

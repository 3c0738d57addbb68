#pragma once
// One HTTP/1.1 connection of the gateway: reads requests one at a time
// (keep-alive; no pipelining beyond Beast's buffering), routes them, and
// answers each exactly once.
//
// A webhook is verified and transcoded on the I/O thread, then handed to
// the `Forwarder`; the session never waits on gRPC. The ack (or the
// publish deadline, whichever comes first) is posted back to the
// connection's strand, and a generation number makes sure a late ack never
// touches a request that was already answered.
//
//   StartHttpSession(std::move(socket), context);  // From the acceptor.
//
// Thread-safety: each session runs on its own strand; `GatewayContext`'s
// members must be thread-safe and outlive every session.

#include <boost/asio/ip/tcp.hpp>

#include "gateway/forwarder.h"
#include "gateway/gateway_options.h"
#include "gateway/metrics.h"
#include "gateway/signature.h"
#include "gateway/upstream_health.h"

namespace vouchstream::gateway {

struct GatewayContext {
  const GatewayOptions* options = nullptr;
  const SignatureVerifier* verifier = nullptr;  // Null: verification off.
  Forwarder* forwarder = nullptr;
  UpstreamHealth* health = nullptr;
  Metrics* metrics = nullptr;
};

// Takes over `socket`, whose executor must be a strand.
void StartHttpSession(boost::asio::ip::tcp::socket socket,
                      const GatewayContext& context);

}  // namespace vouchstream::gateway

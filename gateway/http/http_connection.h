#pragma once
// One HTTP/1.1 connection of the gateway, plain or HTTPS: the TLS
// handshake, then requests read one at a time (keep-alive; no pipelining
// beyond Beast's buffering), each handed whole to an `Exchange`
// (gateway/http/http_exchange.h), whose answer the connection writes
// before it reads the next request or closes.
//
// A request is read in two steps, each with its own deadline (see
// `GatewayOptions`): the headers (`header_timeout` from the first byte),
// then the body (`body_timeout` from the end of the headers); `read_timeout`
// bounds both together, and the handshake. A client that misses a deadline
// gets 408 REQUEST_TIMEOUT (if it still reads) and the connection closes;
// so does a request whose headers or body are over their limits (431, 413),
// that is malformed (400), or whose Transfer-Encoding is not understood
// (501). Between the two steps the source is checked (`AdmitSource`: 403
// SOURCE_NOT_ALLOWED, 429 RATE_LIMITED), so a refused body is never read.
// `idle_timeout` bounds the wait for a request's first byte. After an
// answer with `Connection: close` the connection closes gracefully.
//
// The connection is counted in the gateway's open connections and in the
// acceptor's slot (`ConnectionOptions::slot`) for as long as it lives.
//
//   StartHttpConnection(std::move(socket), context, connection);  // Acceptor.
//
// Thread-safety: each connection runs on its own strand; `GatewayContext`'s
// members must be thread-safe and outlive every connection.

#include <atomic>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "gateway/http/gateway_context.h"

namespace vouchstream::gateway {

// What the acceptor decided about one connection.
struct ConnectionOptions {
  // Non-null: the connection speaks TLS (HTTPS) with this context; the
  // connection keeps it alive. The handshake is bounded by `read_timeout`.
  std::shared_ptr<boost::asio::ssl::context> tls;
  // Answer 503 TOO_MANY_CONNECTIONS without reading a request, then close.
  bool refuse = false;
  // Decremented once when the connection ends (the acceptor incremented it).
  std::shared_ptr<std::atomic<int>> slot;
};

// Takes over `socket`, whose executor must be a strand.
void StartHttpConnection(boost::asio::ip::tcp::socket socket,
                         const GatewayContext& context,
                         ConnectionOptions connection);

}  // namespace vouchstream::gateway

#pragma once
// Converts libnats results (`natsStatus`, and the JetStream API error code
// that comes with some of them) into absl::Status, with the code chosen by
// absl's documented meaning: a server that is away, slow or without quorum
// is kUnavailable (retry may help), a missing stream message or key is
// kNotFound. Thread-safe (pure functions; the last-error text libnats keeps
// is per thread).

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include <nats/nats.h>

namespace vouchstream::store {

// `what` names the operation, e.g. "publishing to stream EVENTS". Returns
// OkStatus for NATS_OK.
absl::Status NatsError(natsStatus status, absl::string_view what,
                       jsErrCode js_error = static_cast<jsErrCode>(0));

}  // namespace vouchstream::store

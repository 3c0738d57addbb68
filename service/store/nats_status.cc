#include "service/store/nats_status.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include <nats/nats.h>

namespace vouchstream::store {

absl::Status NatsError(natsStatus status, absl::string_view what,
                       jsErrCode js_error) {
  if (status == NATS_OK) {
    return absl::OkStatus();
  }
  // libnats keeps a more precise text than natsStatus_GetText for the
  // calling thread (e.g. the JetStream API's own error description).
  const char* last = nats_GetLastError(nullptr);
  std::string message = absl::StrCat(what, ": ", natsStatus_GetText(status));
  if (last != nullptr && last[0] != '\0') {
    absl::StrAppend(&message, " (", last, ")");
  }
  if (js_error != 0) {
    absl::StrAppend(&message, " [jetstream error ", static_cast<int>(js_error),
                    "]");
  }
  if (status == NATS_NOT_FOUND || js_error == JSNoMessageFoundErr ||
      js_error == JSStreamNotFoundErr) {
    return absl::NotFoundError(message);
  }
  if (status == NATS_MAX_PAYLOAD) {
    return absl::InvalidArgumentError(message);
  }
  if (status == NATS_INVALID_ARG || status == NATS_INVALID_SUBJECT) {
    return absl::InvalidArgumentError(message);
  }
  // Timeouts, no responders (no stream leader yet: lost quorum), closed or
  // reconnecting connections and server-side refusals: a retry may help.
  return absl::UnavailableError(message);
}

}  // namespace vouchstream::store

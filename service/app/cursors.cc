#include "service/app/cursors.h"

#include "absl/strings/str_cat.h"

#include "vouchstream/v1/api.pb.h"

#include "service/app/cursor_names.h"
#include "service/core/bad_request.h"

namespace vouchstream::app {

absl::StatusOr<std::string> Cursors::KeyFor(const auth::Principal& principal,
                                            absl::string_view consumer) const {
  return CursorKey(per_principal_ ? &principal : nullptr, consumer);
}

absl::Status Cursors::Save(const auth::Principal& principal,
                           absl::string_view consumer, uint64_t seq) const {
  absl::StatusOr<std::string> key = KeyFor(principal, consumer);
  if (!key.ok()) {
    return key.status();
  }
  const uint64_t last = log_->LastSeq();
  if (seq > last) {
    v1::FieldViolation violation;
    violation.set_field("seq");
    violation.set_description(
        absl::StrCat("must be at most the log's last seq, ", last));
    return core::BadRequestError({violation});
  }
  absl::Status saved = log_->SetCursor(*key, seq);
  if (saved.ok()) {
    Report(*key, seq);
  } else {
    telemetry_->OnStoreError(saved.code());
  }
  return saved;
}

absl::StatusOr<uint64_t> Cursors::Get(const auth::Principal& principal,
                                      absl::string_view consumer) const {
  absl::StatusOr<std::string> key = KeyFor(principal, consumer);
  if (!key.ok()) {
    return key.status();
  }
  return log_->GetCursor(*key);
}

absl::StatusOr<std::optional<uint64_t>> Cursors::Resume(
    const auth::Principal& principal, absl::string_view consumer) const {
  absl::StatusOr<std::string> key = KeyFor(principal, consumer);
  if (!key.ok()) {
    return key.status();
  }
  absl::StatusOr<uint64_t> seq = log_->GetCursor(*key);
  if (absl::IsNotFound(seq.status())) {
    return std::nullopt;
  }
  if (!seq.ok()) {
    return seq.status();
  }
  Report(*key, *seq);
  return *seq;
}

void Cursors::Report(absl::string_view key, uint64_t seq) const {
  // "<principal>/<consumer>" with access control (consumer names hold no
  // '/'), the bare consumer name without.
  const size_t slash = key.rfind('/');
  if (slash == absl::string_view::npos) {
    telemetry_->OnConsumerCursor("", key, seq);
  } else {
    telemetry_->OnConsumerCursor(key.substr(0, slash), key.substr(slash + 1),
                                 seq);
  }
}

}  // namespace vouchstream::app

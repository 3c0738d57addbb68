#pragma once
// What must hold for every event the validator sees, shared by the libFuzzer
// target and the regression test that replays the inputs it once failed on.
// The input reaches the validator three ways: as a webhook envelope and as a
// bare publication.succeeded body through the transcoder (what the gateway
// sends), and as a serialized `vouchstream.v1.Event` (what any gRPC caller
// may send). For each event:
//   - `Validate` is OK exactly when `Check` finds no violation;
//   - otherwise it is kInvalidArgument and carries exactly `Check`'s
//     violations as its google.rpc.BadRequest payload;
//   - every violation names a field and says why.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "transcode/transcoder.h"

#include "vouchstream/v1/event.pb.h"

#include "service/core/bad_request.h"
#include "service/core/validator.h"

namespace vouchstream::testing {

// Returns "" when the properties hold for `event`, else what broke.
inline std::string ValidatorViolationFor(const core::Validator& validator,
                                         const v1::Event& event) {
  const std::vector<v1::FieldViolation> violations = validator.Check(event);
  const absl::Status status = validator.Validate(event);
  if (violations.empty()) {
    return status.ok() ? "" : "Validate failed where Check found nothing";
  }
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    return absl::StrCat("Validate: expected kInvalidArgument for ",
                        violations.size(), " violations, got ",
                        status.ToString());
  }
  const std::vector<v1::FieldViolation> attached =
      core::FieldViolationsOf(status);
  if (attached.size() != violations.size()) {
    return "Validate's payload does not carry every violation";
  }
  for (size_t i = 0; i < violations.size(); ++i) {
    if (violations[i].field().empty() || violations[i].description().empty()) {
      return "a violation without a field or a description";
    }
    if (attached[i].field() != violations[i].field() ||
        attached[i].description() != violations[i].description()) {
      return "Validate's payload differs from Check's violations";
    }
  }
  return "";
}

// Returns "" when the properties hold for every event made from `input`.
inline std::string ValidatorPropertyViolation(transcode::Transcoder& transcoder,
                                              absl::string_view input) {
  static const auto* const validator = new core::Validator();
  // A fixed "now", so that a replayed input judges the same every time.
  google::protobuf::Timestamp received_at;
  received_at.set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  std::vector<v1::Event> events;
  for (auto event : {transcoder.FromEnvelope(input),
                     transcoder.FromBody("publication.succeeded", input)}) {
    if (event.ok()) {
      *event->mutable_received_at() = received_at;
      events.push_back(*std::move(event));
    }
  }
  v1::Event decoded;
  if (decoded.ParseFromArray(input.data(), static_cast<int>(input.size()))) {
    if (!decoded.has_received_at()) {
      *decoded.mutable_received_at() = received_at;
    }
    events.push_back(std::move(decoded));
  }
  for (const v1::Event& event : events) {
    std::string violation = ValidatorViolationFor(*validator, event);
    if (!violation.empty()) {
      return violation;
    }
  }
  return "";
}

}  // namespace vouchstream::testing

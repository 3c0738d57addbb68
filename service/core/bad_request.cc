#include "service/core/bad_request.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::core {

absl::Status BadRequestError(
    const std::vector<v1::FieldViolation>& violations) {
  if (violations.empty()) {
    return absl::OkStatus();
  }
  google::rpc::BadRequest bad_request;
  for (const v1::FieldViolation& violation : violations) {
    google::rpc::BadRequest::FieldViolation* out =
        bad_request.add_field_violations();
    out->set_field(violation.field());
    out->set_description(violation.description());
  }
  std::string message =
      absl::StrCat(violations[0].field(), ": ", violations[0].description());
  if (violations.size() > 1) {
    absl::StrAppend(&message, " (and ", violations.size() - 1, " more)");
  }
  absl::Status status = absl::InvalidArgumentError(message);
  // protobuf 3.21 has no SerializeAsCord.
  status.SetPayload(kBadRequestUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return status;
}

std::optional<google::rpc::BadRequest> BadRequestOf(
    const absl::Status& status) {
  // absl::optional: Debian's Abseil is not built in std:: mode.
  auto payload = status.GetPayload(kBadRequestUrl);
  if (!payload.has_value()) {
    return std::nullopt;
  }
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(static_cast<std::string>(*payload))) {
    return std::nullopt;
  }
  return bad_request;
}

std::vector<v1::FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<v1::FieldViolation> violations;
  std::optional<google::rpc::BadRequest> bad_request = BadRequestOf(status);
  if (!bad_request.has_value()) {
    return violations;
  }
  violations.reserve(bad_request->field_violations_size());
  for (const auto& in : bad_request->field_violations()) {
    v1::FieldViolation& out = violations.emplace_back();
    out.set_field(in.field());
    out.set_description(in.description());
  }
  return violations;
}

}  // namespace vouchstream::core

#pragma once
// What must hold for every input of the transcoder, shared by the libFuzzer
// target and the regression test that replays the inputs it once failed on:
//   - an accepted event keeps the raw bytes and has an id and a type;
//   - the walker never accepts a body that protobuf's own JSON parser (the
//     oracle) refuses: it may only be stricter.

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

#include "voucherify/v1/events.pb.h"

#include "gateway/transcoder.h"

namespace vouchstream::testing {

// Returns "" when the properties hold for `body`, else what broke.
inline std::string TranscoderPropertyViolation(gateway::Transcoder& transcoder,
                                               const std::string& body) {
  auto envelope = transcoder.FromEnvelope(body);
  if (envelope.ok() && (envelope->raw() != body || envelope->id().empty() ||
                        envelope->type().empty())) {
    return "accepted envelope lost its raw body, id or type";
  }
  auto bare = transcoder.FromBody("publication.succeeded", body);
  if (!bare.ok()) {
    return "";
  }
  if (bare->raw() != body || bare->id().empty()) {
    return "accepted body lost its raw bytes or id";
  }
  voucherify::v1::PublicationSucceeded oracle;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status =
      google::protobuf::util::JsonStringToMessage(body, &oracle, options);
  if (!status.ok()) {
    return absl::StrCat("walker accepted what the oracle refuses: ",
                        status.ToString());
  }
  return "";
}

}  // namespace vouchstream::testing

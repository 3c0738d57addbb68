#pragma once
// What must hold for every input of the transcoder, shared by the libFuzzer
// target and the regression test that replays the inputs it once failed on:
//   - an accepted event keeps the raw bytes and has an id and a type;
//   - the walker never accepts a body that protobuf's own JSON parser (the
//     oracle) refuses: it may only be stricter. This holds for the bare
//     publication.succeeded body and for the same bytes read as the
//     conformance suite's message (Any, Duration, every integer type, a
//     NullValue oneof member), apart from the two places where protobuf 3.21
//     is wrong (OracleIsWrong below).

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "conformance_test_messages.pb.h"
#include "google/protobuf/util/json_util.h"

#include "voucherify/v1/events.pb.h"

#include "gateway/json_document.h"
#include "gateway/json_path.h"
#include "gateway/message_filler.h"
#include "gateway/transcoder.h"

namespace vouchstream::testing {

// Whether the oracle's refusal `error` is one message_filler.h documents as
// protobuf 3.21's mistake: a 64-bit integer in exponent form at its type's
// limit (3.21 rounds 9.223372036854775807e18 up to 2^63 and refuses it; the
// walker reads the digits), or a ListValue inside an Any.
inline bool OracleIsWrong(const std::string& error) {
  if (absl::StrContains(error, "Cannot start root message with ListValue")) {
    return true;
  }
  const std::string value_prefix = "invalid value ";
  const size_t begin = error.find(value_prefix);
  const size_t end = error.find(" for type TYPE_");
  if (begin == std::string::npos || end == std::string::npos || end < begin ||
      !absl::EndsWith(error, "64")) {
    return false;
  }
  const std::string number = error.substr(begin + value_prefix.size(),
                                          end - begin - value_prefix.size());
  char* parsed_end = nullptr;
  const double value = std::strtod(number.c_str(), &parsed_end);
  return parsed_end == number.c_str() + number.size() &&
         std::fabs(value) >= 9223372036854775808.0;
}

// The walker alone, on `body` read as the conformance message.
inline std::string ConformancePropertyViolation(const std::string& body) {
  gateway::JsonDocument document(/*max_depth=*/64);
  absl::StatusOr<simdjson::dom::element> root = document.Parse(body);
  if (!root.ok()) {
    return "";
  }
  conformance::TestAllTypesProto3 ours;
  gateway::MessageFiller filler;
  filler.set_source(body);
  gateway::JsonPath path;
  std::vector<std::string> unknown;
  if (!filler.Fill(*root, ours, path, unknown).ok()) {
    return "";
  }
  conformance::TestAllTypesProto3 oracle;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status =
      google::protobuf::util::JsonStringToMessage(body, &oracle, options);
  if (!status.ok() && !OracleIsWrong(status.ToString())) {
    return absl::StrCat(
        "walker accepted, as the conformance message, what the oracle "
        "refuses: ",
        status.ToString());
  }
  return "";
}

// Returns "" when the properties hold for `body`, else what broke.
inline std::string TranscoderPropertyViolation(gateway::Transcoder& transcoder,
                                               const std::string& body) {
  auto envelope = transcoder.FromEnvelope(body);
  if (envelope.ok() && (envelope->raw() != body || envelope->id().empty() ||
                        envelope->type().empty())) {
    return "accepted envelope lost its raw body, id or type";
  }
  std::string conformance = ConformancePropertyViolation(body);
  if (!conformance.empty()) {
    return conformance;
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
  if (!status.ok() && !OracleIsWrong(status.ToString())) {
    return absl::StrCat("walker accepted what the oracle refuses: ",
                        status.ToString());
  }
  return "";
}

}  // namespace vouchstream::testing

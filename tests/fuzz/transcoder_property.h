#pragma once
// What must hold for every input of the transcoder, shared by the libFuzzer
// target and the regression test that replays the inputs it once failed on:
//   - an accepted event keeps the raw bytes and has an id and a type, and
//     every odd value's path is also among its unknown fields;
//   - the strict walker never accepts a body that protobuf's own JSON parser
//     (the oracle) refuses: it may only be stricter. This holds for the
//     bytes read as the conformance suite's message (Any, Duration, every
//     integer type, a NullValue oneof member), apart from the two places
//     where protobuf 3.21 is wrong (OracleIsWrong below);
//   - the kKeepAsUnknown walker (what the transcoder uses) refuses only
//     malformed JSON and non-objects; where the strict walker refuses it
//     reports at least one odd value, where the strict walker accepts it
//     gives the same message and reports none;
//   - the transcoder refuses a bare publication.succeeded body only when it
//     is malformed JSON or not an object, and an accepted body that the
//     oracle refuses has at least one odd value.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "conformance_test_messages.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "transcode/json_document.h"
#include "transcode/json_path.h"
#include "transcode/message_filler.h"
#include "transcode/transcoder.h"

#include "voucherify/v1/events.pb.h"

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

// Whether the odd values' paths are all in `unknown`.
template <typename OddValues, typename Paths>
bool OddPathsAreUnknown(const OddValues& odd_values, const Paths& unknown) {
  for (const auto& odd : odd_values) {
    if (std::find(unknown.begin(), unknown.end(), odd.path()) ==
        unknown.end()) {
      return false;
    }
  }
  return true;
}

// The kKeepAsUnknown walker on the conformance message, against the strict
// walker's outcome (`strict_ok`, `strict`).
inline std::string KeptConformanceViolation(
    simdjson::dom::element root, const std::string& body, bool strict_ok,
    const conformance::TestAllTypesProto3& strict) {
  conformance::TestAllTypesProto3 kept;
  transcode::MessageFiller filler(
      {/*odd_values=*/transcode::MessageFiller::OddValues::kKeepAsUnknown});
  filler.set_source(body);
  transcode::JsonPath path;
  std::vector<std::string> unknown;
  const absl::Status status = filler.Fill(root, kept, path, unknown);
  const std::vector<transcode::MessageFiller::OddValue> odd =
      filler.TakeOddValues();
  if (!root.is_object()) {
    return status.ok() ? "kept-as-unknown walker accepted a non-object" : "";
  }
  if (!status.ok()) {
    return absl::StrCat("kept-as-unknown walker refused an object: ",
                        status.ToString());
  }
  for (const auto& value : odd) {
    if (std::find(unknown.begin(), unknown.end(), value.path) ==
        unknown.end()) {
      return absl::StrCat("odd value ", value.path, " not in unknown fields");
    }
  }
  if (!strict_ok) {
    return odd.empty() ? "kept-as-unknown walker reports no odd value where "
                         "the strict walker refused"
                       : "";
  }
  if (!odd.empty()) {
    return absl::StrCat("kept-as-unknown walker reports ", odd[0].path, " (",
                        odd[0].reason, ") where the strict walker accepted");
  }
  if (!google::protobuf::util::MessageDifferencer::Equals(kept, strict)) {
    return "kept-as-unknown and strict walkers typed different messages";
  }
  return "";
}

// The walker alone, on `body` read as the conformance message.
inline std::string ConformancePropertyViolation(const std::string& body) {
  transcode::JsonDocument document(/*max_depth=*/64);
  absl::StatusOr<simdjson::dom::element> root = document.Parse(body);
  if (!root.ok()) {
    return "";
  }
  conformance::TestAllTypesProto3 ours;
  transcode::MessageFiller filler;
  filler.set_source(body);
  transcode::JsonPath path;
  std::vector<std::string> unknown;
  const bool strict_ok = filler.Fill(*root, ours, path, unknown).ok();
  std::string kept = KeptConformanceViolation(*root, body, strict_ok, ours);
  if (!kept.empty() || !strict_ok) {
    return kept;
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
inline std::string TranscoderPropertyViolation(
    transcode::Transcoder& transcoder, const std::string& body) {
  auto envelope = transcoder.FromEnvelope(body);
  if (envelope.ok() && (envelope->raw() != body || envelope->id().empty() ||
                        envelope->type().empty())) {
    return "accepted envelope lost its raw body, id or type";
  }
  if (envelope.ok() &&
      !OddPathsAreUnknown(envelope->odd_values(), envelope->unknown_fields())) {
    return "an odd value of the envelope is not among its unknown fields";
  }
  std::string conformance = ConformancePropertyViolation(body);
  if (!conformance.empty()) {
    return conformance;
  }
  auto bare = transcoder.FromBody("publication.succeeded", body);
  if (!bare.ok()) {
    transcode::JsonDocument document(/*max_depth=*/64);
    absl::StatusOr<simdjson::dom::element> root = document.Parse(body);
    if (root.ok() && root->is_object()) {
      return absl::StrCat("transcoder refused a readable body: ",
                          bare.status().ToString());
    }
    return "";
  }
  if (bare->raw() != body || bare->id().empty()) {
    return "accepted body lost its raw bytes or id";
  }
  if (!OddPathsAreUnknown(bare->odd_values(), bare->unknown_fields())) {
    return "an odd value of the body is not among its unknown fields";
  }
  voucherify::v1::PublicationSucceeded oracle;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status =
      google::protobuf::util::JsonStringToMessage(body, &oracle, options);
  if (!status.ok() && !OracleIsWrong(status.ToString()) &&
      bare->odd_values().empty()) {
    return absl::StrCat(
        "transcoder accepted, with no odd value, what the oracle refuses: ",
        status.ToString());
  }
  return "";
}

}  // namespace vouchstream::testing

// The walker against protobuf's JsonStringToMessage, the oracle: for every
// input both must produce the same message, or both refuse.
//
// The walker's kKeepAsUnknown mode (for Voucherify's bodies) never refuses
// a well-formed object: where the strict walker refuses, it must accept and
// report at least one odd value ("kept as unknown" agrees with a refusal);
// where the strict walker accepts, it must give the same message and report
// no odd value. Malformed JSON is refused in both modes.
//
// protobuf 3.21's converter accepts some inputs that are plainly wrong (later
// protobuf releases refuse them too), and the walker refuses these on
// purpose, as message_filler.h documents. Each such class is listed in
// kOracleLeniencies with what 3.21 does instead; a refusal by the walker that
// the oracle accepted passes only when it falls in one of them.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "conformance_test_messages.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/field_comparator.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "testdata/json_mapping.pb.h"
#include "transcode/json_document.h"
#include "transcode/json_path.h"
#include "transcode/message_filler.h"

#include "voucherify/v1/events.pb.h"
#include "voucherify/v1/webhook.pb.h"

#include "tests/contract/contract_files.h"
#include "tests/contract/json_tree.h"

namespace vouchstream::testing {
namespace {

namespace pb = ::google::protobuf;

using OddValues = transcode::MessageFiller::OddValues;

bool SameMessage(const pb::Message& a, const pb::Message& b,
                 std::string* report) {
  pb::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  pb::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  differencer.ReportDifferencesToString(report);
  return differencer.Compare(a, b);
}

struct Outcome {
  bool ok = false;
  // The JSON was well-formed (within the depth limit) and an object: what
  // the walker refuses in every mode otherwise.
  bool readable = false;
  std::string error;
  std::unique_ptr<pb::Message> message;
  std::vector<std::string> unknown;
  std::vector<transcode::MessageFiller::OddValue> odd;
};

Outcome Ours(const std::string& json, const pb::Message& prototype,
             OddValues mode = OddValues::kRefuse) {
  Outcome out;
  out.message.reset(prototype.New());
  transcode::JsonDocument document(/*max_depth=*/64);
  absl::StatusOr<simdjson::dom::element> root = document.Parse(json);
  if (!root.ok()) {
    out.error = root.status().ToString();
    return out;
  }
  out.readable = root->is_object();
  transcode::MessageFiller filler({/*odd_values=*/mode});
  filler.set_source(json);
  transcode::JsonPath path;
  const absl::Status status =
      filler.Fill(*root, *out.message, path, out.unknown);
  out.odd = filler.TakeOddValues();
  out.ok = status.ok();
  out.error = status.ToString();
  return out;
}

Outcome Kept(const std::string& json, const pb::Message& prototype) {
  return Ours(json, prototype, OddValues::kKeepAsUnknown);
}

Outcome Oracle(const std::string& json, const pb::Message& prototype,
               bool ignore_unknown) {
  Outcome out;
  out.message.reset(prototype.New());
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = ignore_unknown;
  const auto status =
      pb::util::JsonStringToMessage(json, out.message.get(), options);
  out.ok = status.ok();
  out.error = status.ToString();
  return out;
}

std::string OddValuesText(const Outcome& outcome) {
  std::string text;
  for (const auto& odd : outcome.odd) {
    absl::StrAppend(&text, "\n  ", odd.path, ": ", odd.reason);
  }
  return text;
}

// kKeepAsUnknown against the strict walker's `strict` outcome for `json`;
// returns a description of the disagreement, or "".
std::string KeptDisagreement(const std::string& json,
                             const pb::Message& prototype,
                             const Outcome& strict) {
  const Outcome kept = Kept(json, prototype);
  if (!strict.readable) {
    return kept.ok ? "kept-as-unknown accepted malformed JSON or a non-object"
                   : "";
  }
  if (!kept.ok) {
    return absl::StrCat("kept-as-unknown refused: ", kept.error);
  }
  for (const auto& odd : kept.odd) {
    if (std::find(kept.unknown.begin(), kept.unknown.end(), odd.path) ==
        kept.unknown.end()) {
      return absl::StrCat("odd value ", odd.path, " not in unknown_fields");
    }
  }
  if (!strict.ok) {
    if (kept.odd.empty()) {
      return absl::StrCat(
          "kept-as-unknown reports no odd value where the strict walker "
          "refused: ",
          strict.error);
    }
    // An unknown enum name is what the oracle, ignoring unknown fields,
    // drops too: where that is all, both must give the same message.
    const bool only_enums =
        std::all_of(kept.odd.begin(), kept.odd.end(), [](const auto& odd) {
          return absl::StartsWith(odd.reason, "unknown enum value");
        });
    const Outcome oracle =
        only_enums ? Oracle(json, prototype, /*ignore_unknown=*/true)
                   : Outcome();
    std::string report;
    if (oracle.ok && !SameMessage(*kept.message, *oracle.message, &report)) {
      return absl::StrCat(
          "kept-as-unknown dropped an enum value unlike the "
          "oracle: ",
          report);
    }
    return "";
  }
  if (!kept.odd.empty()) {
    return absl::StrCat(
        "kept-as-unknown reports odd values where the strict "
        "walker accepted:",
        OddValuesText(kept));
  }
  std::string report;
  if (!SameMessage(*kept.message, *strict.message, &report)) {
    return absl::StrCat("kept-as-unknown and strict messages differ: ", report);
  }
  if (kept.unknown != strict.unknown) {
    return "kept-as-unknown and strict unknown fields differ";
  }
  return "";
}

// The strict walker's outcome `ours` for `json` against the oracle.
std::string StrictDisagreement(const std::string& json,
                               const pb::Message& prototype,
                               const Outcome& ours) {
  const Outcome oracle = Oracle(json, prototype, /*ignore_unknown=*/true);
  if (ours.ok && oracle.ok) {
    std::string report;
    return SameMessage(*ours.message, *oracle.message, &report)
               ? ""
               : absl::StrCat("messages differ: ", report);
  }
  if (!ours.ok && !oracle.ok) {
    return "";
  }
  if (ours.ok) {
    return absl::StrCat("walker accepted, oracle refused: ", oracle.error);
  }
  // The walker refused what the lenient oracle took: only the documented
  // strictness is allowed.
  struct Leniency {
    const char* walker_error;  // What the walker says.
    const char* oracle_does;   // What protobuf 3.21 does instead.
  };
  static constexpr Leniency kOracleLeniencies[] = {
      {"expected a boolean, got string", "reads \"yes\", \"t\", \"1\" as true"},
      {"expected an array, got", "reads a single value as a one-element list"},
      {"null is not allowed in a repeated field", "drops the null element"},
      {"null is not allowed as a map value", "stores the default value"},
      {"map key is not a valid bool", "reads \"yes\" as true"},
      {"expected a string, got object", "reads any object as a zero Timestamp"},
  };
  for (const Leniency& leniency : kOracleLeniencies) {
    if (absl::StrContains(ours.error, leniency.walker_error)) {
      return "";
    }
  }
  // A list inside a repeated field's list: 3.21 flattens the nesting.
  if (absl::StrContains(ours.error, "]: expected ") &&
      absl::EndsWith(ours.error, "got array")) {
    return "";
  }
  // Unknown enum names: the oracle drops them only because it was told to
  // ignore unknown fields; in strict mode it refuses them too.
  if (absl::StrContains(ours.error, "unknown enum value") &&
      !Oracle(json, prototype, /*ignore_unknown=*/false).ok) {
    return "";
  }
  return absl::StrCat("walker refused, oracle accepted: ", ours.error);
}

// Checks one input in both modes; returns a description of the
// disagreement, or "".
std::string Disagreement(const std::string& json,
                         const pb::Message& prototype) {
  const Outcome ours = Ours(json, prototype);
  std::string strict = StrictDisagreement(json, prototype, ours);
  if (!strict.empty()) {
    return strict;
  }
  return KeptDisagreement(json, prototype, ours);
}

// Hand-written cases over every mapping feature.
TEST(DifferentialTest, MappingCasesAgreeWithOracle) {
  const char* const kCases[] = {
      R"({})",
      R"({"i32": 1, "i64": 2, "u32": 3, "u64": 4, "s32": -5, "s64": -6})",
      R"({"f32": 7, "f64": 8, "sf32": -9, "sf64": -10})",
      R"({"i32": "12", "i64": "-9223372036854775808", "u64": "18446744073709551615"})",
      R"({"i64": 9223372036854775807, "u64": 18446744073709551615})",
      R"({"i32": 2147483648})",
      R"({"i32": -2147483649})",
      R"({"u32": -1})",
      R"({"u64": -1})",
      R"({"i32": 1.0})",
      R"({"i32": 1e3})",
      R"({"i32": 1.5})",
      R"({"i32": "1.5"})",
      R"({"i32": " 1"})",
      R"({"i32": "abc"})",
      R"({"i32": true})",
      R"({"i64": 1e30})",
      R"({"flt": 1.5, "dbl": -2.25})",
      R"({"flt": "1.5", "dbl": "-2.25e10"})",
      R"({"flt": "NaN", "dbl": "Infinity"})",
      R"({"dbl": "-Infinity"})",
      R"({"flt": 1e39})",
      R"({"dbl": "nope"})",
      R"({"flag": true})",
      R"({"flag": false})",
      R"({"flag": 1})",
      R"({"flag": "true"})",
      R"({"text": "hello \u00e9 \ud83d\ude00"})",
      R"({"text": 5})",
      R"({"text": null})",
      R"({"data": "aGVsbG8="})",
      R"({"data": "aGVsbG8"})",
      R"({"data": "-_-_"})",
      R"({"data": "!!"})",
      R"({"color": "GREEN"})",
      R"({"color": 2})",
      R"({"color": 7})",
      R"({"color": "BLUE"})",
      R"({"color": true})",
      R"({"nested": {"a": 1, "b": "x", "child": {"a": 2}}})",
      R"({"nested": {}})",
      R"({"nested": null})",
      R"({"nested": 5})",
      R"({"nested": []})",
      R"({"maybe": 0})",
      R"({"maybe": null})",
      R"({"r_i32": [1, 2, "3"]})",
      R"({"r_i32": []})",
      R"({"r_i32": null})",
      R"({"r_i32": 1})",
      R"({"r_i32": [1, null]})",
      R"({"r_text": ["a", "b"]})",
      R"({"r_color": ["RED", 2]})",
      R"({"r_nested": [{"a": 1}, {}]})",
      R"({"r_dbl": [1, 2.5, "3"]})",
      R"({"m_str_i32": {"a": 1, "b": "2"}})",
      R"({"m_i32_str": {"1": "a", "-2": "b"}})",
      R"({"m_i32_str": {"x": "a"}})",
      R"({"m_bool_nested": {"true": {"a": 1}, "false": {}}})",
      R"({"m_bool_nested": {"yes": {}}})",
      R"({"m_u64_color": {"18446744073709551615": "RED"}})",
      R"({"m_value": {"a": null, "b": [1, "x", {"c": true}]}})",
      R"({"m_str_i32": {"a": null}})",
      R"({"m_str_i32": []})",
      R"({"choice_text": "x"})",
      R"({"choice_nested": {"a": 1}})",
      R"({"choice_text": "x", "choice_number": 1})",
      R"({"choice_text": null, "choice_number": 1})",
      R"({"ts": "2024-02-01T12:54:33.174Z"})",
      R"({"ts": "2024-02-01T12:54:33.174123Z"})",
      R"({"ts": "2024-02-01T12:54:33.174123456Z"})",
      R"({"ts": "2024-02-01T12:54:33Z"})",
      R"({"ts": "2024-02-01T12:54:33.174+02:00"})",
      R"({"ts": "2024-02-01T12:54:33.174-05:30"})",
      R"({"ts": "2024-02-01 12:54:33Z"})",
      R"({"ts": "2024-13-01T12:54:33Z"})",
      R"({"ts": "2024-02-01T12:54:33.174"})",
      R"({"ts": "0001-01-01T00:00:00Z"})",
      R"({"ts": "9999-12-31T23:59:59.999999999Z"})",
      R"({"ts": 1706791273})",
      R"({"ts": null})",
      R"({"r_ts": ["2024-02-01T12:54:33Z", "2024-02-01T12:54:34Z"]})",
      R"({"dur": "1.5s"})",
      R"({"dur": "-3s"})",
      R"({"dur": "1.000000001s"})",
      R"({"dur": "1"})",
      R"({"st": {"a": 1, "b": [true, null], "c": {"d": "e"}}})",
      R"({"st": {}})",
      R"({"st": null})",
      R"({"st": []})",
      R"({"val": null})",
      R"({"val": 1.25})",
      R"({"val": "s"})",
      R"({"val": [1, [2, [3]]]})",
      R"({"val": {"k": {}}})",
      R"({"r_val": [null, 1, "a"]})",
      R"({"lst": [1, "a", null, {}]})",
      R"({"lst": {}})",
      R"({"w_i64": "5", "w_str": "x", "w_bool": false, "w_dbl": 1.5})",
      R"({"w_i64": null, "w_str": null})",
      R"({"w_bool": "x"})",
      R"({"mask": "fooBar,baz.quxQuux"})",
      R"({"mask": ""})",
      R"({"snake_case_name": "a"})",
      R"({"snakeCaseName": "b"})",
      R"({"unknown": 1, "i32": 2})",
      R"({"unknown": {"deep": [1, {"x": null}]}})",
      R"({"nested": {"unknown": 1, "a": 3}})",
      R"({"maybe": 1, "maybe": 2})",
      R"({"i32": 1, "i32": 2})",
      R"({"nested": {"a": 1}, "nested": {"b": "x"}})",
      R"({"st": {"a": 1, "a": 2}})",
      R"({"m_str_i32": {"a": 1, "a": 2}})",
      R"({"": 1})",
      R"({"st": {"": 1}})",
  };
  vouchstream::testing::AllTypes prototype;
  for (const char* json : kCases) {
    EXPECT_EQ(Disagreement(json, prototype), "") << "input: " << json;
  }
}

// The groups of protobuf's JSON conformance suite the walker once failed
// (issue 21), on a message with the suite's shapes. Each case says whether
// the walker must accept it, so that a case both sides refuse cannot hide a
// walker that refuses everything. In the inputs, `P/` stands for
// "type.googleapis.com/vouchstream.testing.conformance." and `G/` for
// "type.googleapis.com/google.protobuf.".
struct GroupCase {
  const char* json;
  bool accepted;
};

std::string ExpandTypeUrls(const char* json) {
  return absl::StrReplaceAll(
      json, {{"P/", "type.googleapis.com/vouchstream.testing.conformance."},
             {"G/", "type.googleapis.com/google.protobuf."}});
}

void ExpectGroupAgrees(absl::Span<const GroupCase> cases) {
  const conformance::TestAllTypesProto3 prototype;
  for (const GroupCase& c : cases) {
    const std::string json = ExpandTypeUrls(c.json);
    const Outcome ours = Ours(json, prototype);
    EXPECT_EQ(ours.ok, c.accepted) << json << "\n" << ours.error;
    const Outcome kept = Kept(json, prototype);
    EXPECT_TRUE(kept.ok) << json << "\n" << kept.error;
    EXPECT_EQ(kept.odd.empty(), c.accepted) << json << OddValuesText(kept);
    EXPECT_EQ(Disagreement(json, prototype), "") << "input: " << json;
  }
}

TEST(DifferentialTest, AnyAgreesWithOracle) {
  const GroupCase kCases[] = {
      {R"({"optionalAny": {"@type": "P/TestAllTypesProto3",
                           "optionalInt32": 12345}})",
       true},
      {R"({"optionalAny": {"optionalInt32": 12345, "optionalString": "x",
                           "@type": "P/TestAllTypesProto3"}})",
       true},
      {R"({"optionalAny": {"@type": "G/Any", "value": {
             "@type": "P/TestAllTypesProto3", "optionalInt32": 12345}}})",
       true},
      {R"({"optionalAny": {"@type": "G/Any", "value": {
             "@type": "G/Any", "value": {"@type": "G/Int32Value",
                                         "value": 7}}}})",
       true},
      {R"({"optionalAny": {"@type": "P/TestAllTypesProto3", "optionalAny": {
             "@type": "G/Duration", "value": "2s"}}})",
       true},
      {R"({"optionalAny": {"@type": "G/Duration", "value": "1.5s"}})", true},
      {R"({"optionalAny": {"value": "-0.5s", "@type": "G/Duration"}})", true},
      {R"({"optionalAny": {"@type": "G/Timestamp",
                           "value": "1970-01-01T00:00:00Z"}})",
       true},
      {R"({"optionalAny": {"@type": "G/FieldMask", "value": "foo,barBaz"}})",
       true},
      {R"({"optionalAny": {"@type": "G/Struct", "value": {"foo": 1}}})", true},
      {R"({"optionalAny": {"@type": "G/Value", "value": {"foo": [1, "a"]}}})",
       true},
      {R"({"optionalAny": {"@type": "G/Value", "value": 1}})", true},
      {R"({"optionalAny": {"@type": "G/Value", "value": null}})", true},
      {R"({"optionalAny": {"@type": "G/Int32Value", "value": 12345}})", true},
      {R"({"optionalAny": {"@type": "G/StringValue", "value": "s"}})", true},
      {R"({"optionalAny": {"@type": "G/Int32Value"}})", true},
      {R"({"optionalAny": {"@type": "G/Duration", "value": null}})", true},
      {R"({"optionalAny": {"@type": "G/Empty"}})", true},
      {R"({"optionalAny": {"@type": "P/TestAllTypesProto3.NestedMessage",
                           "a": 3}})",
       true},
      {R"({"optionalAny": {"@type": "P/TestAllTypesProto3",
                           "unknownKey": 2, "optionalInt32": 1}})",
       true},
      {R"({"optionalAny": {}})", true},
      {R"({"optionalAny": null})", true},
      {R"({"repeatedAny": [{"@type": "G/Int32Value", "value": 1},
                           {"@type": "P/TestAllTypesProto3",
                            "optionalString": "x"}]})",
       true},
      {R"({"optionalAny": {"optionalInt32": 1}})", false},
      {R"({"optionalAny": 5})", false},
      {R"({"optionalAny": []})", false},
      {R"({"optionalAny": {"@type": 5}})", false},
      {R"({"optionalAny": {"@type": ""}})", false},
      {R"({"optionalAny": {"@type": "P/NoSuchMessage"}})", false},
      {R"({"optionalAny": {"@type": "example.com/google.protobuf.Empty"}})",
       false},
      {R"({"optionalAny": {"@type": "google.protobuf.Empty"}})", false},
      {R"({"optionalAny": {"@type": "G/NullValue", "value": null}})", false},
      {R"({"optionalAny": {"@type": "G/BoolValue", "value": "x"}})", false},
      {R"({"optionalAny": {"@type": "G/Duration", "value": "1"}})", false},
      {R"({"optionalAny": {"@type": "P/TestAllTypesProto3",
                           "optionalInt32": "x"}})",
       false},
      {R"({"optionalAny": {"@type": "P/TestAllTypesProto3",
                           "optionalTimestamp": "10000-01-01T00:00:00Z"}})",
       false},
  };
  ExpectGroupAgrees(kCases);
}

TEST(DifferentialTest, ExponentIntegersAgreeWithOracle) {
  const GroupCase kCases[] = {
      {R"({"optionalInt32": 2.147483647e9})", true},
      {R"({"optionalInt32": -2.147483648e9})", true},
      {R"({"optionalUint32": 4.294967295e9})", true},
      {R"({"optionalSint32": 2.147483647e9, "optionalSfixed32": -2e9})", true},
      {R"({"optionalFixed32": 4.294967295E9})", true},
      {R"({"optionalInt64": 1e18, "optionalSint64": -1.5e15})", true},
      {R"({"optionalUint64": 1.8e19, "optionalFixed64": 1E+3})", true},
      {R"({"optionalSfixed64": -9.2e18})", true},
      {R"({"optionalInt32": 1.00e+2, "optionalUint32": 0.0})", true},
      {R"({"optionalUint64": -0.0})", true},
      {R"({"optionalInt32Wrapper": 2.147483647e9,
           "optionalUint32Wrapper": 4.294967295e9})",
       true},
      {R"({"optionalInt64Wrapper": -1e10, "optionalUint64Wrapper": 1e10})",
       true},
      {R"({"repeatedInt32": [1e2, 2.5e1], "repeatedUint64": [1e19]})", true},
      {R"({"mapStringInt64": {"a": 1e2}})", true},
      {R"({"optionalNestedEnum": 1e0})", true},
      {R"({"optionalInt32": 2.147483648e9})", false},
      {R"({"optionalInt32": -2.147483649e9})", false},
      {R"({"optionalUint32": 4.294967296e9})", false},
      {R"({"optionalUint32": -1e0})", false},
      {R"({"optionalFixed32": -1.0})", false},
      {R"({"optionalInt64": 1e19})", false},
      {R"({"optionalUint64": 2e19})", false},
      {R"({"optionalUint64": -1e2})", false},
      {R"({"optionalInt32": 1.5})", false},
      {R"({"optionalInt64": 1.5e-1})", false},
      {R"({"optionalInt32": "1e2"})", false},
      {R"({"optionalInt64": "1e2"})", false},
      {R"({"optionalUint64": "1.0"})", false},
      {R"({"optionalNestedEnum": 1.5})", false},
  };
  ExpectGroupAgrees(kCases);
}

TEST(DifferentialTest, DurationAndTimestampRangesAgreeWithOracle) {
  const GroupCase kCases[] = {
      {R"({"optionalDuration": "315576000000s"})", true},
      {R"({"optionalDuration": "-315576000000s"})", true},
      {R"({"optionalDuration": "315576000000.999999999s"})", true},
      {R"({"optionalDuration": "-315576000000.999999999s"})", true},
      {R"({"optionalDuration": "0.000000001s"})", true},
      {R"({"optionalTimestamp": "0001-01-01T00:00:00Z"})", true},
      {R"({"optionalTimestamp": "9999-12-31T23:59:59.999999999Z"})", true},
      {R"({"optionalTimestamp": "0001-01-01T00:00:00+01:00"})", true},
      {R"({"optionalTimestamp": "9999-12-31T23:59:59.999999999-01:00"})", true},
      {R"({"optionalDuration": "315576000001s"})", false},
      {R"({"optionalDuration": "-315576000001s"})", false},
      {R"({"optionalDuration": "315576000001.5s"})", false},
      {R"({"optionalDuration": "9223372036854775807s"})", false},
      {R"({"optionalDuration": "1.0000000001s"})", false},
      {R"({"optionalTimestamp": "0000-12-31T23:59:59Z"})", false},
      {R"({"optionalTimestamp": "10000-01-01T00:00:00Z"})", false},
      {R"({"optionalAny": {"@type": "G/Duration",
                           "value": "315576000001s"}})",
       false},
  };
  ExpectGroupAgrees(kCases);
}

// Found by the transcoder fuzzer: TimeUtil reads seconds with strtoll, so
// ".5s", "--5s" and "1.-5s" passed the walker while protobuf's JSON parser
// refuses them.
TEST(DifferentialTest, DurationDigitsAgreeWithOracle) {
  const GroupCase kCases[] = {
      {R"({"optionalDuration": "1.5s"})", true},
      {R"({"optionalDuration": "-0.5s"})", true},
      {R"({"optionalDuration": "0005.000000001s"})", true},
      {R"({"optionalDuration": "-0s"})", true},
      {R"({"optionalDuration": ".5s"})", false},
      {R"({"optionalDuration": "-.5s"})", false},
      {R"({"optionalDuration": "--5s"})", false},
      {R"({"optionalDuration": "+-5s"})", false},
      {R"({"optionalDuration": "1.-5s"})", false},
      {R"({"optionalDuration": "1.+5s"})", false},
      {R"({"optionalDuration": "1. 5s"})", false},
      {R"({"optionalDuration": "\t5s"})", false},
      {R"({"optionalDuration": "-s"})", false},
      {R"({"optionalDuration": ".s"})", false},
      {R"({"optionalDuration": "1.5.5s"})", false},
      {R"({"optionalDuration": "0x5s"})", false},
      {R"({"optionalDuration": "5e1s"})", false},
  };
  ExpectGroupAgrees(kCases);
}

// Where protobuf 3.21 is looser than the proto3 JSON mapping ("+5s", spaces
// around the sign or the "s", an empty fraction), the walker keeps to the
// mapping: it may only be stricter than the oracle.
TEST(WalkerOnlyTest, DurationKeepsToTheMappingWhereTheOracleIsLoose) {
  for (const char* text : {"+5s", " 5s", "5 s", "- 5s", "-+5s", "5.s"}) {
    const std::string json =
        absl::StrCat(R"({"optionalDuration": ")", text, R"("})");
    const Outcome ours = Ours(json, conformance::TestAllTypesProto3());
    EXPECT_FALSE(ours.ok) << json;
    EXPECT_THAT(ours.error, ::testing::HasSubstr("invalid Duration")) << json;
  }
}

// Found by the transcoder fuzzer: TimeUtil::FromString reads an offset
// such as "-1:00" and then CHECK-fails (aborts the process) when it carries
// the instant past year 9999. The walker hands TimeUtil only the checked
// UTC form and refuses other shapes: stricter than the oracle, never a
// crash.
TEST(WalkerOnlyTest, TimestampShapesTimeUtilWouldAbortOnAreRefused) {
  for (const char* text :
       {"9999-12-31T23:59:59.9999999990-1:00", "9999-12-31T23:59:59-1:00",
        "0001-01-01T00:00:00+1:00", "2024-01-01T00:00:00.1234567890Z",
        "2024-01-01t00:00:00z", "2024-01-01T00:00:00"}) {
    const std::string json =
        absl::StrCat(R"({"optionalTimestamp": ")", text, R"("})");
    const Outcome ours = Ours(json, conformance::TestAllTypesProto3());
    EXPECT_FALSE(ours.ok) << json;
    EXPECT_THAT(ours.error, ::testing::HasSubstr("invalid Timestamp")) << json;
  }
}

// Found by the transcoder fuzzer: protobuf reads "(...)" and "[...]" in a
// FieldMask as its own map-key syntax and refuses them in many shapes; the
// walker refuses parentheses, brackets and quotes.
TEST(DifferentialTest, FieldMaskParenthesesAgreeWithOracleWhenUnbalanced) {
  const GroupCase kCases[] = {
      {R"({"optionalFieldMask": "fooBar.baz,qux"})", true},
      {R"j({"optionalFieldMask": "a)b"})j", false},
      {R"j({"optionalFieldMask": "a(b"})j", false},
      {R"j({"optionalFieldMask": "a,b)"})j", false},
      {R"j({"optionalFieldMask": "a[b"})j", false},
      {R"j({"optionalFieldMask": "a.[b]"})j", false},
  };
  ExpectGroupAgrees(kCases);
}

TEST(DifferentialTest, NullValueOneofAgreesWithOracle) {
  const GroupCase kCases[] = {
      {R"({"oneofNullValue": null})", true},
      {R"({"oneofNullValue": "NULL_VALUE"})", true},
      {R"({"oneofNullValue": 0})", true},
      {R"({"oneofString": null, "oneofNullValue": null})", true},
      {R"({"oneofNullValue": null, "oneofString": null})", true},
      {R"({"optionalNullValue": null})", true},
      {R"({"repeatedNullValue": [null, "NULL_VALUE", 0]})", true},
      {R"({"oneofNullValue": null, "oneofUint32": 1})", false},
      {R"({"oneofUint32": 1, "oneofNullValue": null})", false},
      {R"({"oneofNullValue": true})", false},
  };
  ExpectGroupAgrees(kCases);

  // The oracle agreeing is not enough: null must select the member.
  const Outcome ours =
      Ours(R"({"oneofNullValue": null})", conformance::TestAllTypesProto3());
  ASSERT_TRUE(ours.ok) << ours.error;
  EXPECT_EQ(static_cast<const conformance::TestAllTypesProto3&>(*ours.message)
                .oneof_field_case(),
            conformance::TestAllTypesProto3::kOneofNullValue);
}

// Where the oracle is wrong or cannot be asked, the walker's answer is
// checked directly. An integer in fraction or exponent form is read from its
// digits: protobuf 3.21 reads it through a double, so it takes "1e-400" as 0,
// refuses int64's maximum written as 9.223372036854775807e18 (the double
// rounds up to 2^63), and stores 9007199254740993e0 as ...992.
TEST(WalkerOnlyTest, IntegersInExponentFormAreReadFromTheirDigits) {
  struct Case {
    const char* json;
    const char* error;  // nullptr: accepted.
    int64_t i64;
    uint64_t u64;
  };
  const Case kCases[] = {
      {R"({"optionalInt64": 9.223372036854775807e18})", nullptr, INT64_MAX, 0},
      {R"({"optionalInt64": -9.223372036854775808e18})", nullptr, INT64_MIN, 0},
      {R"({"optionalUint64": 1.8446744073709551615e19})", nullptr, 0,
       UINT64_MAX},
      {R"({"optionalInt64": 9007199254740993e0})", nullptr, 9007199254740993,
       0},
      {R"({"optionalInt64": 12345678901234567.89e2})", nullptr,
       1234567890123456789, 0},
      {R"({"optionalUint64": 100000000000000000000e-2})", nullptr, 0,
       1000000000000000000},
      {R"({"optionalInt64": -0.0e7})", nullptr, 0, 0},
      {R"({"optionalInt64": 9.223372036854775808e18})",
       "optionalInt64: integer 9.223372036854775808e18 is out of range", 0, 0},
      {R"({"optionalInt64": -9.223372036854775809e18})",
       "optionalInt64: integer -9.223372036854775809e18 is out of range", 0, 0},
      {R"({"optionalUint64": 1.8446744073709551616e19})",
       "optionalUint64: integer 1.8446744073709551616e19 is out of range", 0,
       0},
      {R"({"optionalInt32": 1e-400})",
       "optionalInt32: expected an integer, got 1e-400", 0, 0},
      {R"({"optionalInt64": 1.0000000000000000001})",
       "optionalInt64: expected an integer, got 1.0000000000000000001", 0, 0},
      {R"({"optionalUint32": 4294967295.5})",
       "optionalUint32: expected an integer, got 4294967295.5", 0, 0},
      {R"({"optionalInt64Wrapper": 1.5e0})",
       "optionalInt64Wrapper: expected an integer, got 1.5e0", 0, 0},
      {R"({"repeatedUint64": [1, 2.5e0]})",
       "repeatedUint64[1]: expected an integer, got 2.5e0", 0, 0},
      {R"({"optionalInt64": 1e2, "optionalInt64": 1.0e2})",
       "optionalInt64: duplicate key", 0, 0},
  };
  for (const Case& c : kCases) {
    const Outcome ours = Ours(c.json, conformance::TestAllTypesProto3());
    if (c.error == nullptr) {
      ASSERT_TRUE(ours.ok) << c.json << "\n" << ours.error;
      const auto& message =
          static_cast<const conformance::TestAllTypesProto3&>(*ours.message);
      EXPECT_EQ(message.optional_int64(), c.i64) << c.json;
      EXPECT_EQ(message.optional_uint64(), c.u64) << c.json;
    } else {
      EXPECT_FALSE(ours.ok) << c.json;
      EXPECT_THAT(ours.error, ::testing::HasSubstr(c.error)) << c.json;
      EXPECT_THAT(ours.error, ::testing::StartsWith("INVALID_ARGUMENT"));
      // Kept as unknown: the same problem, and no number stored for it (not
      // 0 for 1e-400, not 1 for 1.5); the one integral element stays.
      const Outcome kept = Kept(c.json, conformance::TestAllTypesProto3());
      ASSERT_TRUE(kept.ok) << c.json << "\n" << kept.error;
      ASSERT_FALSE(kept.odd.empty()) << c.json;
      EXPECT_THAT(absl::StrCat(kept.odd[0].path, ": ", kept.odd[0].reason),
                  ::testing::StartsWith(c.error));
      auto& message =
          static_cast<conformance::TestAllTypesProto3&>(*kept.message);
      if (message.repeated_uint64_size() == 1 &&
          message.repeated_uint64(0) == 1) {
        message.clear_repeated_uint64();
      }
      EXPECT_EQ(message.ByteSizeLong(), 0) << c.json << "\n"
                                           << message.DebugString();
    }
  }
  // simdjson refuses a number beyond a double's range outright.
  EXPECT_THAT(Ours(R"({"optionalInt32": 1e999999999999999999})",
                   conformance::TestAllTypesProto3())
                  .error,
              ::testing::HasSubstr("malformed JSON"));
}

// protobuf 3.21 CHECK-fails (aborts) on a well-known type in an Any with a
// key beside "value", and refuses a ListValue in an Any ("Cannot start root
// message with ListValue"), which the mapping allows.
TEST(WalkerOnlyTest, AnyErrorsNameThePathAndTheUrl) {
  struct Case {
    const char* json;
    const char* error;  // nullptr: accepted.
  };
  const Case kCases[] = {
      {R"({"optionalAny": {"@type": "G/Duration", "value": "1s", "x": 1}})",
       R"(optionalAny.x: expected only "@type" and "value" in an Any holding )"
       R"(google.protobuf.Duration, got another key)"},
      {R"({"optionalAny": {"@type": "G/ListValue", "value": [1, "a"]}})",
       nullptr},
      {R"({"optionalAny": {"@type": "P/NoSuchMessage"}})",
       R"(optionalAny.@type: expected a type URL "type.googleapis.com/<message )"
       R"(type known here>", got "type.googleapis.com/vouchstream.testing.)"
       R"(conformance.NoSuchMessage")"},
      {R"({"repeatedAny": [{}, {"a": 1}]})",
       R"(repeatedAny[1]: expected "@type" in an object (Any), got none)"},
      {R"({"optionalAny": {"@type": "G/Empty", "@type": "G/Empty"}})",
       "optionalAny.@type: duplicate key"},
      {R"({"optionalAny": {"@type": "G/Any", "value": {"@type": "G/Duration",
                           "value": "315576000001s"}}})",
       "optionalAny.value.value: expected a Duration within "
       "+-315576000000s, got \"315576000001s\""},
  };
  for (const Case& c : kCases) {
    const std::string json = ExpandTypeUrls(c.json);
    const Outcome ours = Ours(json, conformance::TestAllTypesProto3());
    if (c.error == nullptr) {
      EXPECT_TRUE(ours.ok) << json << "\n" << ours.error;
    } else {
      EXPECT_EQ(ours.error, absl::StrCat("INVALID_ARGUMENT: ", c.error))
          << json;
    }
  }
  const Outcome list = Ours(
      ExpandTypeUrls(
          R"({"optionalAny": {"@type": "G/ListValue", "value": [1, "a"]}})"),
      conformance::TestAllTypesProto3());
  ASSERT_TRUE(list.ok) << list.error;
  pb::ListValue unpacked;
  ASSERT_TRUE(static_cast<const conformance::TestAllTypesProto3&>(*list.message)
                  .optional_any()
                  .UnpackTo(&unpacked));
  ASSERT_EQ(unpacked.values_size(), 2);
  EXPECT_EQ(unpacked.values(1).string_value(), "a");
}

// An Any whose type is unknown, or whose value is unusable, is left out as a
// whole, like any odd value; a problem inside a usable packed message leaves
// out only the field it concerns.
TEST(WalkerOnlyTest, KeepsAnUnusableAnyAsAnOddValue) {
  struct Case {
    const char* json;
    const char* path;
    const char* reason;
    // The message kept, in the oracle's JSON ("" for none but optionalInt32).
    const char* kept;
  };
  const Case kCases[] = {
      {R"({"optionalAny": {"@type": "P/NoSuchMessage", "x": 1}})",
       "optionalAny",
       R"(optionalAny.@type: expected a type URL "type.googleapis.com/)"
       R"(<message type known here>", got "type.googleapis.com/vouchstream.)"
       R"(testing.conformance.NoSuchMessage")",
       ""},
      {R"({"optionalAny": {"@type": 5}})", "optionalAny",
       "optionalAny.@type: expected a type URL string, got number", ""},
      {R"({"optionalAny": {"a": 1}})", "optionalAny",
       R"(expected "@type" in an object (Any), got none)", ""},
      {R"({"optionalAny": {"@type": "G/Duration", "value": "1"}})",
       "optionalAny",
       R"(optionalAny.value: invalid Duration "1" (want seconds with an "s" )"
       R"(suffix and at most nine fractional digits, e.g. 1.5s))",
       ""},
      {R"({"repeatedAny": [{"@type": "P/NoSuchMessage"},
                           {"@type": "G/Int32Value", "value": 3}]})",
       "repeatedAny[0]",
       R"(repeatedAny[0].@type: expected a type URL "type.googleapis.com/)"
       R"(<message type known here>", got "type.googleapis.com/vouchstream.)"
       R"(testing.conformance.NoSuchMessage")",
       R"({"repeatedAny": [{"@type": "G/Int32Value", "value": 3}]})"},
      {R"({"optionalAny": {"@type": "P/TestAllTypesProto3",
                           "optionalInt32": "x", "optionalString": "s"}})",
       "optionalAny.optionalInt32", R"(expected an integer, got string "x")",
       R"({"optionalAny": {"@type": "P/TestAllTypesProto3",
                           "optionalString": "s"}})"},
      {R"({"optionalAny": {"@type": "G/Duration", "value": "1s", "x": 1}})",
       "optionalAny.x",
       R"(expected only "@type" and "value" in an Any holding )"
       R"(google.protobuf.Duration, got another key)",
       R"({"optionalAny": {"@type": "G/Duration", "value": "1s"}})"},
  };
  const conformance::TestAllTypesProto3 prototype;
  for (const Case& c : kCases) {
    const std::string json = ExpandTypeUrls(c.json);
    const std::string sentinel =
        absl::StrCat(R"({"optionalInt32": 7, )", json.substr(1));
    const Outcome kept = Kept(sentinel, prototype);
    ASSERT_TRUE(kept.ok) << json << "\n" << kept.error;
    ASSERT_EQ(kept.odd.size(), 1) << json << OddValuesText(kept);
    EXPECT_EQ(kept.odd[0].path, c.path) << json;
    EXPECT_EQ(kept.odd[0].reason, ExpandTypeUrls(c.reason)) << json;
    EXPECT_THAT(kept.unknown, ::testing::Contains(c.path)) << json;
    const std::string expected_json =
        *c.kept == '\0' ? std::string(R"({"optionalInt32": 7})")
                        : absl::StrCat(R"({"optionalInt32": 7, )",
                                       ExpandTypeUrls(c.kept).substr(1));
    const Outcome expected = Oracle(expected_json, prototype, false);
    ASSERT_TRUE(expected.ok) << expected_json << "\n" << expected.error;
    std::string report;
    EXPECT_TRUE(SameMessage(*kept.message, *expected.message, &report))
        << json << "\n"
        << report;
    EXPECT_FALSE(Ours(sentinel, prototype).ok) << json;
  }
}

// A small deterministic mutator over JSON trees: each variation applies one
// to three edits of the kinds real senders (and broken ones) make.
class Mutator {
 public:
  explicit Mutator(uint32_t seed) : random_(seed) {}

  void Mutate(pb::Value& root) {
    const int edits = 1 + static_cast<int>(random_() % 3);
    for (int i = 0; i < edits; ++i) {
      std::vector<pb::Value*> nodes;
      Collect(root, nodes);
      pb::Value& node = *nodes[random_() % nodes.size()];
      Edit(node);
    }
  }

 private:
  static void Collect(pb::Value& node, std::vector<pb::Value*>& out) {
    out.push_back(&node);
    if (node.has_struct_value()) {
      for (auto& [key, child] :
           *node.mutable_struct_value()->mutable_fields()) {
        Collect(child, out);
      }
    } else if (node.has_list_value()) {
      for (pb::Value& child : *node.mutable_list_value()->mutable_values()) {
        Collect(child, out);
      }
    }
  }

  void Edit(pb::Value& node) {
    switch (random_() % 12) {
      case 0:
        node.set_null_value(pb::NULL_VALUE);
        break;
      case 1:  // A number as a string, as proto3 JSON prints 64-bit ints.
        if (node.has_number_value()) {
          node.set_string_value(absl::StrCat(node.number_value()));
        }
        break;
      case 2:  // A wrong type.
        node.set_string_value("yes");
        break;
      case 3:
        node.set_bool_value(true);
        break;
      case 4:
        node.set_number_value(static_cast<double>(random_() % 1000) / 4);
        break;
      case 5:  // Drop a member.
        if (node.has_struct_value() && !node.struct_value().fields().empty()) {
          auto& fields = *node.mutable_struct_value()->mutable_fields();
          auto it = fields.begin();
          std::advance(it, random_() % fields.size());
          fields.erase(it);
        }
        break;
      case 6:  // An unknown member.
        if (node.has_struct_value()) {
          (*node.mutable_struct_value()->mutable_fields())["x_extra"]
              .set_number_value(1);
        }
        break;
      case 7:  // Timestamps with 6 digits, offsets, or broken ones.
        if (node.has_string_value() &&
            absl::EndsWith(node.string_value(), "Z")) {
          static const char* const kTimes[] = {
              "2024-02-01T12:54:33.174123Z", "2024-02-01T12:54:33+01:00",
              "2024-02-30T12:54:33Z", "2024-02-01T25:00:00Z"};
          node.set_string_value(kTimes[random_() % 4]);
        }
        break;
      case 8:  // Another enum-ish name.
        if (node.has_string_value()) {
          static const char* const kNames[] = {"PERCENT", "BOGUS", "SUCCESS",
                                               "APPLY_TO_ORDER"};
          node.set_string_value(kNames[random_() % 4]);
        }
        break;
      case 9:  // Wrap in an array.
      {
        pb::Value copy = node;
        *node.mutable_list_value()->add_values() = copy;
        break;
      }
      case 10:
        node.mutable_struct_value();
        break;
      case 11:
        node.set_number_value(-1);
        break;
    }
  }

  std::mt19937 random_;
};

void ExpectVariationsAgree(const std::string& json,
                           const pb::Message& prototype, int count) {
  absl::StatusOr<pb::Value> tree = ParseJsonTree(json);
  ASSERT_TRUE(tree.ok()) << tree.status();
  ASSERT_EQ(Disagreement(json, prototype), "");
  int refused = 0;
  for (int i = 0; i < count; ++i) {
    Mutator mutator(static_cast<uint32_t>(i));
    pb::Value variant = *tree;
    mutator.Mutate(variant);
    const std::string text = PrintJsonTree(variant);
    const std::string disagreement = Disagreement(text, prototype);
    EXPECT_EQ(disagreement, "") << "variation " << i << ": " << text;
    if (!disagreement.empty()) {
      return;  // One report is enough to debug; thousands are noise.
    }
    refused += Ours(text, prototype).ok ? 0 : 1;
  }
  // The variations must exercise both outcomes, or they prove little.
  EXPECT_GT(refused, count / 20);
  EXPECT_LT(refused, count - count / 20);
}

TEST(DifferentialTest, SeedVariationsAgreeWithOracle) {
  absl::StatusOr<std::string> seed =
      ReadContractFile("publication.succeeded.seed.json");
  ASSERT_TRUE(seed.ok()) << seed.status();
  ExpectVariationsAgree(*seed, voucherify::v1::PublicationSucceeded(), 3000);
}

TEST(DifferentialTest, EnvelopeVariationsAgreeWithOracle) {
  absl::StatusOr<std::string> envelope =
      ReadContractFile("voucher.published.envelope.example.json");
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  ExpectVariationsAgree(*envelope, voucherify::v1::WebhookEnvelope(), 2000);
}

TEST(DifferentialTest, FixturesAgreeWithOracle) {
  for (const std::string& name : ListTestdata()) {
    absl::StatusOr<std::string> json = ReadTestdata(name);
    ASSERT_TRUE(json.ok()) << json.status();
    const pb::Message& prototype =
        absl::StartsWith(name, "envelope.")
            ? static_cast<const pb::Message&>(
                  voucherify::v1::WebhookEnvelope::default_instance())
            : voucherify::v1::PublicationSucceeded::default_instance();
    EXPECT_EQ(Disagreement(*json, prototype), "") << name;
  }
}

}  // namespace
}  // namespace vouchstream::testing

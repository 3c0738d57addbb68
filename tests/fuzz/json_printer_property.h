#pragma once
// What must hold for every input of transcode::JsonPrinter, shared by the
// libFuzzer target and the regression test that replays the inputs it once
// failed on: for every message the bytes make, the printer writes exactly
// what protobuf 3.21's MessageToJsonString writes with the same options
// (proto names compact, as subscribe/list/get print; with whitespace, as
// transcode prints; json_name keys), or fails where it fails, and a failed
// Print leaves its output untouched. The messages:
//   - the bytes as a serialized vouchstream.v1.Event (every typed body) and
//     as vouchstream.testing.AllTypes (every scalar type, maps with every
//     key type, the well-known types, FieldMask);
//   - the bytes as a webhook envelope and as a bare publication.succeeded
//     body, through the transcoder (the Event the gateway would publish).
// Unknown fields are dropped before the oracle sees a message: 3.21
// re-reads its own serialization and misreads an unknown field that reuses
// a known field's number with another wire type (no server sends one);
// the printer ignores unknown fields, which is checked too (by length).

#include <array>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "testdata/json_mapping.pb.h"
#include "transcode/json_printer.h"
#include "transcode/transcoder.h"

#include "vouchstream/v1/event.pb.h"

namespace vouchstream::testing {

// "" when the printer and the oracle agree on `message` in every mode.
// With unknown fields, both print a copy without them, and the printer's
// text of `message` itself must be as long: a copy's maps may iterate in
// another order (protobuf seeds each map instance), so only the length is
// comparable across the two.
inline std::string PrinterOracleViolation(
    const google::protobuf::Message& message) {
  std::unique_ptr<google::protobuf::Message> copy;
  const google::protobuf::Message* known = &message;
  if (!message.GetReflection()->GetUnknownFields(message).empty()) {
    copy.reset(message.New());
    copy->CopyFrom(message);
    copy->DiscardUnknownFields();
    known = copy.get();
  }
  // {preserve_proto_field_names, add_whitespace}: the CLI's line,
  // transcode's pretty print, protobuf's defaults.
  const std::array<std::array<bool, 2>, 3> modes = {
      {{true, false}, {true, true}, {false, false}}};
  for (const auto& mode : modes) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = mode[0];
    options.add_whitespace = mode[1];
    std::string expected;
    const bool oracle_ok =
        google::protobuf::util::MessageToJsonString(*known, &expected, options)
            .ok();
    transcode::JsonPrinter printer({mode[0], mode[1]});
    std::string actual = "x";
    const absl::Status status = printer.Print(*known, &actual);
    std::string with_unknown = "x";
    const absl::Status unknown_status = printer.Print(message, &with_unknown);
    const std::string what = absl::StrCat(message.GetDescriptor()->full_name(),
                                          mode[0] ? " proto names" : "",
                                          mode[1] ? " whitespace" : "", ": ");
    if (status.ok() != oracle_ok) {
      return absl::StrCat(what, "printer ", status.ToString(), ", oracle ",
                          oracle_ok ? "ok" : "failed");
    }
    if (status.ok() != unknown_status.ok() ||
        actual.size() != with_unknown.size()) {
      return absl::StrCat(what, "unknown fields changed the printer's output");
    }
    if (oracle_ok && actual != "x" + expected) {
      return absl::StrCat(what, "printer wrote\n", actual.substr(1),
                          "\noracle wrote\n", expected);
    }
    if (!oracle_ok && actual != "x") {
      return absl::StrCat(what, "a failed Print appended text");
    }
  }
  return "";
}

// Returns "" when the properties hold for `bytes`, else what broke.
inline std::string JsonPrinterPropertyViolation(
    transcode::Transcoder& transcoder, const std::string& bytes) {
  v1::Event event;
  if (event.ParseFromString(bytes)) {
    std::string violation = PrinterOracleViolation(event);
    if (!violation.empty()) {
      return violation;
    }
  }
  AllTypes all_types;
  if (all_types.ParseFromString(bytes)) {
    std::string violation = PrinterOracleViolation(all_types);
    if (!violation.empty()) {
      return violation;
    }
  }
  for (const bool envelope : {true, false}) {
    absl::StatusOr<v1::Event> transcoded =
        envelope ? transcoder.FromEnvelope(bytes)
                 : transcoder.FromBody("publication.succeeded", bytes);
    if (transcoded.ok()) {
      std::string violation = PrinterOracleViolation(*transcoded);
      if (!violation.empty()) {
        return violation;
      }
    }
  }
  return "";
}

}  // namespace vouchstream::testing

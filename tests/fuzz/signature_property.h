#pragma once
// What must hold for every input of the signature check, shared by the
// libFuzzer target and the regression test that replays the inputs it once
// failed on. With `body` the input and `header` a header value cut from it:
//   - `StripJsonWhitespace` only drops space, tab, CR and LF outside strings,
//     leaves none of them outside strings, and is idempotent;
//   - the body verifies under its own signature and under the signature of
//     its stripped form (what `JSON.stringify` would have signed), and not
//     under another secret's;
//   - an arbitrary header value verifies only when it is one of those two
//     digests (any case, surrounding whitespace allowed).

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "transcode/signature.h"

namespace vouchstream::testing {

inline constexpr char kFuzzSecret[] = "fuzz-secret";

// Returns "" when `stripped` is `json` with only whitespace outside strings
// removed, else what broke. Walks both with the same string state machine.
inline std::string StripViolation(absl::string_view json,
                                  absl::string_view stripped) {
  size_t out = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    const bool whitespace = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (!in_string && whitespace) {
      continue;  // Must be dropped.
    }
    if (out >= stripped.size() || stripped[out] != c) {
      return "stripped output lost or changed a byte that is not whitespace "
             "outside a string";
    }
    ++out;
    if (in_string && c == '\\' && i + 1 < json.size()) {
      ++i;
      if (out >= stripped.size() || stripped[out] != json[i]) {
        return "stripped output lost an escaped byte";
      }
      ++out;
    } else if (c == '"') {
      in_string = !in_string;
    }
  }
  if (out != stripped.size()) {
    return "stripped output has bytes the input does not";
  }
  return "";
}

// Returns "" when the properties hold for `input`, else what broke.
inline std::string SignaturePropertyViolation(absl::string_view input) {
  const std::string stripped = transcode::StripJsonWhitespace(input);
  std::string violation = StripViolation(input, stripped);
  if (!violation.empty()) {
    return violation;
  }
  if (transcode::StripJsonWhitespace(stripped) != stripped) {
    return "StripJsonWhitespace is not idempotent";
  }
  static const auto* const verifier =
      transcode::SignatureVerifier::Create({"other-secret", kFuzzSecret})
          ->release();
  const std::string own = transcode::SignHex(kFuzzSecret, input);
  const std::string compact = transcode::SignHex(kFuzzSecret, stripped);
  if (!verifier->Verify(input, own).ok()) {
    return "the body does not verify under its own signature";
  }
  if (!verifier->Verify(input, compact).ok()) {
    return "the body does not verify under its stripped form's signature";
  }
  if (verifier->Verify(input, transcode::SignHex("unknown-secret", input))
          .ok()) {
    return "the body verifies under a secret the verifier does not hold";
  }
  // The first up to 70 bytes as a header value against the rest as a body.
  const absl::string_view header = input.substr(0, 70);
  const absl::string_view body = input.substr(header.size());
  if (verifier->Verify(body, header).ok()) {
    const std::string value =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(header));
    const std::string body_stripped = transcode::StripJsonWhitespace(body);
    if (value != transcode::SignHex(kFuzzSecret, body) &&
        value != transcode::SignHex("other-secret", body) &&
        value != transcode::SignHex(kFuzzSecret, body_stripped) &&
        value != transcode::SignHex("other-secret", body_stripped)) {
      return "a header value that is no digest of the body verified";
    }
  }
  return "";
}

}  // namespace vouchstream::testing

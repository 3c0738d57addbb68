#pragma once
// Verifies Voucherify's webhook signature: the `x-voucherify-signature`
// header is the lowercase hex HMAC-SHA256 of the JSON body, keyed with the
// webhook secret's UTF-8 bytes, the body written without insignificant
// whitespace (as `JSON.stringify` writes it).
//
// `Verify` checks the raw body first and, only when that fails, the body
// with whitespace outside strings removed (never re-serialised through a
// JSON library). Several secrets may be active at once, for rotation; any
// one of them matching is enough. Digests are compared in constant time.
//
//   auto verifier = SignatureVerifier::FromFile("/etc/vouchstream/secrets");
//   if (!verifier.ok()) { return verifier.status(); }
//   absl::Status status = (*verifier)->Verify(body, header_value);
//   // kUnauthenticated: missing, malformed or wrong signature.
//
// Thread-safe: a SignatureVerifier is immutable after construction.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::transcode {

class SignatureVerifier {
 public:
  // Fails with kInvalidArgument when `secrets` is empty or holds an empty
  // secret.
  static absl::StatusOr<std::unique_ptr<SignatureVerifier>> Create(
      std::vector<std::string> secrets);

  // Reads one secret per line; blank lines and lines starting with `#` are
  // skipped, surrounding whitespace (including `\r`) is trimmed. Fails with
  // kNotFound / kInvalidArgument when the file is unreadable or holds no
  // secret.
  static absl::StatusOr<std::unique_ptr<SignatureVerifier>> FromFile(
      const std::string& path);

  // OK when `signature_hex` (the header value, empty when absent) is the
  // HMAC of `body` under one of the secrets; otherwise kUnauthenticated with
  // a message that says whether the header was missing, malformed or wrong.
  absl::Status Verify(absl::string_view body,
                      absl::string_view signature_hex) const;

  size_t secret_count() const { return secrets_.size(); }

 private:
  explicit SignatureVerifier(std::vector<std::string> secrets)
      : secrets_(std::move(secrets)) {}

  bool MatchesAny(absl::string_view message,
                  const std::array<unsigned char, 32>& expected) const;

  std::vector<std::string> secrets_;
};

// The lowercase hex HMAC-SHA256 of `message` under `secret`: what a sender
// puts in `x-voucherify-signature` (used by `vouchstream-cli send`).
std::string SignHex(absl::string_view secret, absl::string_view message);

// `json` with the whitespace outside strings (space, tab, CR, LF) removed.
// Escaped quotes (`\"`) inside strings do not end the string. Input that is
// not JSON is processed the same way; the result is then just bytes.
std::string StripJsonWhitespace(absl::string_view json);

}  // namespace vouchstream::transcode

#include "transcode/signature.h"

#include <array>
#include <fstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace vouchstream::transcode {
namespace {

constexpr size_t kDigestBytes = 32;
using Digest = std::array<unsigned char, kDigestBytes>;

void Hmac(absl::string_view secret, absl::string_view message, Digest& out) {
  unsigned int length = 0;
  // The one-shot HMAC() is not deprecated in OpenSSL 3 (HMAC_CTX is).
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       out.data(), &length);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Decodes 64 hex digits; false on any other length or a non-hex digit.
bool DecodeDigest(absl::string_view hex, Digest& out) {
  if (hex.size() != 2 * kDigestBytes) {
    return false;
  }
  for (size_t i = 0; i < kDigestBytes; ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return false;
    }
    out[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SignatureVerifier>> SignatureVerifier::Create(
    std::vector<std::string> secrets) {
  if (secrets.empty()) {
    return absl::InvalidArgumentError("no webhook secret given");
  }
  for (const std::string& secret : secrets) {
    if (secret.empty()) {
      return absl::InvalidArgumentError("a webhook secret is empty");
    }
  }
  return std::unique_ptr<SignatureVerifier>(
      new SignatureVerifier(std::move(secrets)));
}

absl::StatusOr<std::unique_ptr<SignatureVerifier>> SignatureVerifier::FromFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("secret file \"", path, "\": cannot be read"));
  }
  std::vector<std::string> secrets;
  std::string line;
  while (std::getline(in, line)) {
    const absl::string_view secret = absl::StripAsciiWhitespace(line);
    if (secret.empty() || secret[0] == '#') {
      continue;
    }
    secrets.emplace_back(secret);
  }
  if (secrets.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("secret file \"", path, "\": holds no secret"));
  }
  return Create(std::move(secrets));
}

bool SignatureVerifier::MatchesAny(absl::string_view message,
                                   const Digest& expected) const {
  bool matched = false;
  // Every secret is tried even after a match, so the time taken does not
  // say which secret matched.
  for (const std::string& secret : secrets_) {
    Digest digest;
    Hmac(secret, message, digest);
    matched |=
        CRYPTO_memcmp(digest.data(), expected.data(), digest.size()) == 0;
  }
  return matched;
}

absl::Status SignatureVerifier::Verify(absl::string_view body,
                                       absl::string_view signature_hex) const {
  if (signature_hex.empty()) {
    return absl::UnauthenticatedError(
        "x-voucherify-signature: header is missing");
  }
  Digest expected;
  if (!DecodeDigest(absl::StripAsciiWhitespace(signature_hex), expected)) {
    return absl::UnauthenticatedError(
        "x-voucherify-signature: expected 64 hex digits (HMAC-SHA256)");
  }
  if (MatchesAny(body, expected) ||
      MatchesAny(StripJsonWhitespace(body), expected)) {
    return absl::OkStatus();
  }
  return absl::UnauthenticatedError(
      "x-voucherify-signature: does not match the body under any "
      "configured secret");
}

std::string SignHex(absl::string_view secret, absl::string_view message) {
  static constexpr absl::string_view kHex = "0123456789abcdef";
  Digest digest;
  Hmac(secret, message, digest);
  std::string hex(2 * kDigestBytes, '0');
  for (size_t i = 0; i < kDigestBytes; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string StripJsonWhitespace(absl::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        // The escaped character, `"` included, never ends the string.
        out.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      continue;
    }
    if (c == '"') {
      in_string = true;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace vouchstream::transcode

#pragma once
// Bearer tokens are known to the server only by their SHA-256: the access
// file lists hashes, and a presented token is hashed once and compared in
// constant time (CRYPTO_memcmp), so that neither the file nor memory holds a
// token in clear for longer than one call's metadata.
//
//   TokenDigest digest = HashToken(token);
//   absl::StatusOr<TokenDigest> listed = ParseTokenDigest(hex);
//   if (listed.ok() && DigestsEqual(digest, *listed)) { ... }
//
// Thread-safe: free functions without shared state.

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::auth {

using TokenDigest = std::array<uint8_t, 32>;

// SHA-256 of `token`'s bytes.
TokenDigest HashToken(absl::string_view token);

// 64 lower-case hex digits.
std::string DigestHex(const TokenDigest& digest);

// Parses 64 hex digits (either case). kInvalidArgument otherwise; the
// message does not quote `hex`.
absl::StatusOr<TokenDigest> ParseTokenDigest(absl::string_view hex);

// Constant-time comparison.
bool DigestsEqual(const TokenDigest& a, const TokenDigest& b);

}  // namespace vouchstream::auth

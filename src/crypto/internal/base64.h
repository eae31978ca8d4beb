// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to crypto: include "crypto/argon2.h" instead.
//
// The "B64" encoding of the PHC string format
// (https://github.com/P-H-C/phc-string-format/blob/master/phc-sf-spec.md#b64):
// the standard base64 alphabet of RFC 4648 section 4 (A-Z a-z 0-9 + /)
// without "=" padding. The decoder is strict, as the PHC spec and libargon2's
// decoder are: no padding, no whitespace, no length of 4k+1 characters, and
// the unused low bits of the last character must be zero. So every byte
// string has exactly one encoding, and a stored hash cannot be rewritten into
// another string that still verifies.
//
//   std::string b64 = Base64EncodeUnpadded(salt);      // "c29tZXNhbHQ"
//   std::optional<std::vector<uint8_t>> salt = Base64DecodeUnpadded(b64);
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::crypto::internal {

// ceil(8n / 6) characters for n bytes.
std::string Base64EncodeUnpadded(std::span<const uint8_t> bytes);

// Decodes the canonical unpadded encoding. Returns nullopt for anything else:
// a character outside the alphabet (including '='), a length of 4k+1, or
// non-zero leftover bits in the last character.
std::optional<std::vector<uint8_t>> Base64DecodeUnpadded(std::string_view text);

// The same over the URL-safe alphabet ("-_" for "+/"), as JOSE (RFC 7515
// section 2) writes JWS parts and JWK members.
std::optional<std::vector<uint8_t>> Base64UrlDecodeUnpadded(std::string_view text);

}  // namespace mamori::crypto::internal

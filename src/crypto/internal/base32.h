// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to crypto: include "crypto/totp.h" instead.
//
// RFC 4648 section 6 base32 (A-Z 2-7), the encoding authenticator apps and
// oathtool use for TOTP secrets in otpauth:// URIs. The encoder writes upper
// case without "=" padding (what Google Authenticator's key URI format asks
// for). The decoder accepts either case and optional trailing "=" padding,
// because people type secrets by hand, but nothing else: no spaces, no
// characters outside the alphabet, no impossible lengths (1, 3 or 6 characters
// past a multiple of 8), and no non-zero unused bits in the last character,
// so each byte string has one accepted spelling up to case and padding.
//
//   std::string text = Base32Encode(secret);   // "GEZDGNBVGY3TQOJQ..."
//   std::optional<std::vector<uint8_t>> bytes = Base32Decode(text);
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::crypto::internal {

std::string Base32Encode(std::span<const uint8_t> bytes);

// nullopt for anything but the forms described above.
std::optional<std::vector<uint8_t>> Base32Decode(std::string_view text);

}  // namespace mamori::crypto::internal

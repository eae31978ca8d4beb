// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to crypto: include "crypto/aead.h" instead.
//
// Lowercase hex encoding for key ids in Status messages and for the test
// vectors. (A public hex codec belongs in core; this one can move there.)
//
//   std::string s = HexEncode(key_id.bytes);            // "00ff..."
//   std::optional<std::vector<uint8_t>> b = HexDecode("00ff");
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::crypto::internal {

// Two lowercase hex digits per byte.
std::string HexEncode(std::span<const uint8_t> bytes);

// Decodes upper- or lowercase hex. Returns nullopt on an odd length or a
// character that is not a hex digit.
std::optional<std::vector<uint8_t>> HexDecode(std::string_view hex);

}  // namespace mamori::crypto::internal

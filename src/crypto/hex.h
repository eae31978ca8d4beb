// SPDX-License-Identifier: Apache-2.0
#pragma once

// Lower-case hex for other modules (token and recovery-code hashes, sealed
// secrets inside JSON records). One implementation: crypto/internal/hex.cc.
//
//   std::string text = crypto::HexEncode(digest);            // "00ff..."
//   std::optional<std::vector<uint8_t>> bytes = crypto::HexDecode(text);
//
// Thread-safety: pure functions.

#include "crypto/internal/hex.h"

namespace mamori::crypto {

using internal::HexDecode;
using internal::HexEncode;

}  // namespace mamori::crypto

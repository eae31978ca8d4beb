// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to ledger: include "ledger/tree_head.h" or "ledger/leaf.h" instead.
//
// Fixed-width big-endian integers for the ledger's binary formats (FORMAT.md).

#include <cstdint>
#include <span>
#include <string>

namespace mamori::ledger::internal {

inline void AppendUint64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

// REQUIRES: bytes.size() >= 8.
inline uint64_t ReadUint64(std::span<const uint8_t> bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | bytes[i];
  return value;
}

inline void AppendBytes(std::string& out, std::span<const uint8_t> bytes) {
  out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace mamori::ledger::internal

// SPDX-License-Identifier: Apache-2.0
#include "ledger/hash.h"

#include <algorithm>

#include "ledger/internal/tree_hasher.h"

namespace mamori::ledger {

Hash HashLeaf(std::span<const uint8_t> leaf) { return internal::HashLeaf(leaf); }

core::Result<Hash> ParseHash(std::span<const uint8_t> bytes) {
  if (bytes.size() != kHashSize) {
    return core::InvalidArgumentError("a hash must be 32 bytes, got " +
                                      std::to_string(bytes.size()));
  }
  Hash hash;
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

std::string HashToHex(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * kHashSize);
  for (uint8_t b : hash) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

}  // namespace mamori::ledger

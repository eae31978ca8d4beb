// SPDX-License-Identifier: Apache-2.0
#include "ledger/internal/tree_hasher.h"

#include <algorithm>
#include <array>

#include "crypto/hash.h"

namespace mamori::ledger::internal {
namespace {

// Leaves up to this size are hashed from one stack buffer (one EVP call);
// longer ones are streamed. Audit leaves are a few hundred bytes.
constexpr size_t kStackLeafSize = 512;

}  // namespace

Hash HashLeaf(std::span<const uint8_t> leaf) {
  if (leaf.size() <= kStackLeafSize) {
    std::array<uint8_t, 1 + kStackLeafSize> buf;
    buf[0] = kLeafHashPrefix;
    std::copy(leaf.begin(), leaf.end(), buf.begin() + 1);
    return crypto::Sha256(std::span<const uint8_t>(buf.data(), 1 + leaf.size()));
  }
  crypto::Sha256Hasher hasher;
  const uint8_t prefix = kLeafHashPrefix;
  hasher.Update(std::span<const uint8_t>(&prefix, 1));
  hasher.Update(leaf);
  return hasher.Finish();
}

Hash HashChildren(const Hash& left, const Hash& right) {
  std::array<uint8_t, 1 + 2 * kHashSize> buf;
  buf[0] = kNodeHashPrefix;
  std::copy(left.begin(), left.end(), buf.begin() + 1);
  std::copy(right.begin(), right.end(), buf.begin() + 1 + kHashSize);
  return crypto::Sha256(buf);
}

Hash EmptyRoot() { return crypto::Sha256(std::span<const uint8_t>()); }

}  // namespace mamori::ledger::internal

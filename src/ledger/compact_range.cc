// SPDX-License-Identifier: Apache-2.0
#include "ledger/compact_range.h"

#include <bit>
#include <string>
#include <utility>

#include "core/check.h"
#include "ledger/internal/tree_hasher.h"

namespace mamori::ledger {

std::vector<NodeId> CompactRange::PeakIds(uint64_t size) {
  MAMORI_CHECK(size <= kMaxTreeSize);
  std::vector<NodeId> ids;
  ids.reserve(std::popcount(size));
  uint64_t begin = 0;
  for (int level = 62; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    ids.push_back(NodeId{static_cast<uint8_t>(level), begin >> level});
    begin += width;
  }
  return ids;
}

core::Result<CompactRange> CompactRange::FromPeaks(uint64_t size, std::vector<Hash> peaks) {
  if (size > kMaxTreeSize) {
    return core::InvalidArgumentError("tree size " + std::to_string(size) + " is too large");
  }
  if (peaks.size() != static_cast<size_t>(std::popcount(size))) {
    return core::InvalidArgumentError("a compact range of " + std::to_string(size) +
                                      " leaves has " + std::to_string(std::popcount(size)) +
                                      " peaks, got " + std::to_string(peaks.size()));
  }
  return CompactRange(size, std::move(peaks));
}

core::Result<CompactRange> CompactRange::FromSource(const HashSource& source, uint64_t size) {
  if (size > kMaxTreeSize) {
    return core::InvalidArgumentError("tree size " + std::to_string(size) + " is too large");
  }
  const std::vector<NodeId> ids = PeakIds(size);
  MAMORI_ASSIGN_OR_RETURN(std::vector<Hash> peaks, source.NodeHashes(ids));
  if (peaks.size() != ids.size()) {
    return core::InternalError("hash source returned " + std::to_string(peaks.size()) +
                               " hashes for " + std::to_string(ids.size()) + " nodes");
  }
  return CompactRange(size, std::move(peaks));
}

void CompactRange::Append(const Hash& leaf_hash, std::vector<Node>* completed) {
  MAMORI_CHECK(size_ < kMaxTreeSize);
  const uint64_t index = size_;
  peaks_.push_back(leaf_hash);
  if (completed != nullptr) completed->push_back(Node{NodeId{0, index}, leaf_hash});
  // Each trailing 1 bit of the new leaf's index is a left sibling waiting for
  // this leaf's subtree: merge the two rightmost peaks into their parent.
  for (uint8_t level = 0; (index >> level) & 1; ++level) {
    Hash right = peaks_.back();
    peaks_.pop_back();
    Hash& left = peaks_.back();
    left = internal::HashChildren(left, right);
    if (completed != nullptr) {
      completed->push_back(
          Node{NodeId{static_cast<uint8_t>(level + 1), index >> (level + 1)}, left});
    }
  }
  ++size_;
}

Hash CompactRange::Root() const {
  if (peaks_.empty()) return internal::EmptyRoot();
  Hash root = peaks_.back();
  for (size_t i = peaks_.size() - 1; i-- > 0;) root = internal::HashChildren(peaks_[i], root);
  return root;
}

}  // namespace mamori::ledger

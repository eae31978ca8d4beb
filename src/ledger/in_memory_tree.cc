// SPDX-License-Identifier: Apache-2.0
#include "ledger/in_memory_tree.h"

#include <string>

#include "core/check.h"
#include "ledger/proof.h"

namespace mamori::ledger {

void InMemoryTree::Append(const Hash& leaf_hash) {
  added_.clear();
  range_.Append(leaf_hash, &added_);
  for (const Node& node : added_) {
    if (node.id.level >= levels_.size()) levels_.resize(node.id.level + 1);
    std::vector<Hash>& level = levels_[node.id.level];
    MAMORI_DCHECK(level.size() == node.id.index);  // nodes complete left to right
    level.push_back(node.hash);
  }
}

void InMemoryTree::Reserve(uint64_t leaves) {
  for (int level = 0; level < 63 && (leaves >> level) != 0; ++level) {
    if (static_cast<size_t>(level) >= levels_.size()) levels_.resize(level + 1);
    levels_[level].reserve(leaves >> level);
  }
}

core::Status InMemoryTree::CheckSize(uint64_t size) const {
  if (size > range_.size()) {
    return core::InvalidArgumentError("tree size " + std::to_string(size) +
                                      " is beyond the log's size " + std::to_string(range_.size()));
  }
  return core::Status::Ok();
}

core::Result<Hash> InMemoryTree::RootAt(uint64_t size) const {
  MAMORI_RETURN_IF_ERROR(CheckSize(size));
  return RootHash(*this, size);
}

core::Result<std::vector<Hash>> InMemoryTree::InclusionProof(uint64_t index, uint64_t size) const {
  MAMORI_RETURN_IF_ERROR(CheckSize(size));
  return ledger::InclusionProof(*this, index, size);
}

core::Result<std::vector<Hash>> InMemoryTree::ConsistencyProof(uint64_t size1,
                                                               uint64_t size2) const {
  MAMORI_RETURN_IF_ERROR(CheckSize(size2));
  return ledger::ConsistencyProof(*this, size1, size2);
}

core::Result<std::vector<Hash>> InMemoryTree::NodeHashes(std::span<const NodeId> ids) const {
  std::vector<Hash> out;
  out.reserve(ids.size());
  for (const NodeId& id : ids) {
    if (id.level >= levels_.size() || id.index >= levels_[id.level].size()) {
      return core::NotFoundError("node (" + std::to_string(id.level) + ", " +
                                 std::to_string(id.index) + ") is not in the tree");
    }
    out.push_back(levels_[id.level][id.index]);
  }
  return out;
}

}  // namespace mamori::ledger

// SPDX-License-Identifier: Apache-2.0
#pragma once

// InMemoryTree: a whole Merkle tree in memory, the reference HashSource. It
// keeps every perfect-subtree node, level by level (levels_[L][i] is node
// (L, i) in hash_source.h's numbering), fed by a CompactRange as leaves are
// appended. That is the layout a database mirrors in its `ledger_node`
// table; here it serves tests, tools and benchmarks, and any caller that
// wants proofs over a log it holds in memory (2 * 32 bytes per leaf: 640 MB
// at 10 million leaves).
//
// Every proof costs O(log n) node lookups (at most 2 * bit_width(n)) and as
// many hashes for the right edge, whatever the size.
//
//   ledger::InMemoryTree tree;
//   for (const std::string& leaf : leaves) tree.Append(ledger::HashLeaf(crypto::AsBytes(leaf)));
//   ledger::Hash root = tree.Root();
//   MAMORI_ASSIGN_OR_RETURN(auto proof, tree.InclusionProof(3, tree.size()));
//   MAMORI_RETURN_IF_ERROR(ledger::VerifyInclusion(3, tree.size(), leaf_hash_3, proof, root));
//
// Owns its nodes. Thread-safety: const methods may run concurrently with one
// another, not with Append.

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "ledger/compact_range.h"
#include "ledger/hash.h"
#include "ledger/hash_source.h"

namespace mamori::ledger {

class InMemoryTree final : public HashSource {
 public:
  InMemoryTree() = default;

  // Appends the leaf hash of leaf number size() (use HashLeaf).
  // REQUIRES: size() < kMaxTreeSize.
  void Append(const Hash& leaf_hash);

  // Makes room for `leaves` leaves without reallocating (a hint).
  void Reserve(uint64_t leaves);

  uint64_t size() const { return range_.size(); }
  // The root of the current tree, O(log n) hashes.
  Hash Root() const { return range_.Root(); }
  // The current compact range (what a database keeps to resume appending).
  const CompactRange& range() const { return range_; }

  // The root of the tree formed by the first `size` leaves.
  // Errors: kInvalidArgument if size > size().
  core::Result<Hash> RootAt(uint64_t size) const;
  // ledger::InclusionProof over this tree.
  // Errors: kInvalidArgument if index >= size or size > size().
  core::Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const;
  // ledger::ConsistencyProof over this tree.
  // Errors: kInvalidArgument if size1 == 0, size1 > size2 or size2 > size().
  core::Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2) const;

  // HashSource. Errors: kNotFound for a node that is not complete yet.
  core::Result<std::vector<Hash>> NodeHashes(std::span<const NodeId> ids) const override;

 private:
  core::Status CheckSize(uint64_t size) const;

  CompactRange range_;
  std::vector<std::vector<Hash>> levels_;  // levels_[L][i] = node (L, i)
  std::vector<Node> added_;                // scratch for Append
};

}  // namespace mamori::ledger

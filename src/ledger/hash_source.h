// SPDX-License-Identifier: Apache-2.0
#pragma once

// HashSource: where proof generation reads the hashes of a log's Merkle tree.
// The ledger's proof functions (proof.h) are pure: they compute which nodes a
// proof needs, ask a HashSource for them in one batch, and combine them. The
// in-memory tree (in_memory_tree.h) is one HashSource; the store's
// `ledger_node` table will be another, so serving a proof at any log size is
// O(log n) node lookups and never loads every leaf.
//
// Node numbering (the same as transparency-dev/merkle's compact.NodeID and as
// node_hashes[level][i] in shared/data/vectors/merkle):
//
//   Node (level L, index i) is the root of the *perfect* subtree over leaves
//   [i * 2^L, (i + 1) * 2^L). Level 0 holds the leaf hashes: node (0, i) is
//   leaf i's hash. Node (L + 1, i) = HashChildren(node (L, 2i), node (L, 2i + 1)).
//
//   A node exists, and never changes again, once the log holds (i + 1) * 2^L
//   leaves. Appending leaf n (0-based) creates node (0, n) and then, for each
//   trailing 1 bit of n, node (L + 1, n >> (L + 1)); CompactRange::Append
//   reports exactly those nodes. So a table
//
//     ledger_node(level INTEGER, idx INTEGER, hash BLOB, PRIMARY KEY (level, idx))
//
//   is append-only, gets 1 + (number of trailing 1 bits of n) rows for leaf n
//   (fewer than 2 per leaf on average), and can be written in the transaction
//   that adds the leaf. Subtrees that are not perfect (the right edge of a
//   tree whose size is not a power of two) are never stored: the proof code
//   computes them from the perfect nodes that cover them.
//
//   Example, 6 leaves: nodes (0,0)..(0,5), (1,0) (1,1) (1,2), (2,0);
//   root = HashChildren((2,0), (1,2)). After a 7th leaf: add (0,6) only;
//   root = HashChildren((2,0), HashChildren((1,2), (0,6))).
//
// Implementing a HashSource (the store will):
//
//   class SqlHashSource final : public ledger::HashSource {
//    public:
//     core::Result<std::vector<ledger::Hash>> NodeHashes(
//         std::span<const ledger::NodeId> ids) const override {
//       // SELECT level, idx, hash FROM ledger_node WHERE (level, idx) IN (...)
//       // and return them in the order of `ids`; kNotFound if one is missing.
//     }
//   };
//   // tests: ledger::InMemoryTree is a HashSource.
//
// Thread-safety: up to the implementation; the proof functions call only
// NodeHashes, once per proof, from the caller's thread.

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "ledger/hash.h"

namespace mamori::ledger {

// One node of the tree, numbered as described above.
struct NodeId {
  uint8_t level = 0;   // 0 = leaf hashes; at most 62 for trees up to kMaxTreeSize
  uint64_t index = 0;  // position among the nodes of this level, left to right

  // The leaves the node covers: [begin(), end()).
  uint64_t begin() const { return index << level; }
  uint64_t end() const { return (index + 1) << level; }

  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// A node and its hash, as CompactRange::Append reports new nodes.
struct Node {
  NodeId id;
  Hash hash{};

  friend bool operator==(const Node&, const Node&) = default;
};

class HashSource {
 public:
  virtual ~HashSource() = default;

  // The hashes of the perfect subtrees `ids`, in the same order; `ids` may be
  // empty. The proof functions ask only for nodes that exist in the tree size
  // they were given.
  // Errors: kNotFound if a node is not (yet) stored, i.e. the caller asked
  // about a tree size the log has not reached; any error of the backing store
  // (kUnavailable, kDataLoss, ...) is passed through unchanged.
  virtual core::Result<std::vector<Hash>> NodeHashes(std::span<const NodeId> ids) const = 0;
};

}  // namespace mamori::ledger

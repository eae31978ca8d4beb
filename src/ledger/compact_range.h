// SPDX-License-Identifier: Apache-2.0
#pragma once

// CompactRange: the O(log n) state that lets a log append leaves and compute
// its root without keeping the leaves: the hashes of the perfect subtrees
// ("peaks") that cover leaves [0, size), one per 1 bit of size, highest level
// (leftmost) first. Appending a leaf hash merges equal-level peaks, which is
// exactly when new perfect subtrees complete; Append reports those nodes so a
// caller can store them (see hash_source.h for the numbering).
//
// Two uses:
//   - the writer: the store keeps one CompactRange for the live log, appends
//     each new leaf hash inside the write transaction, inserts the reported
//     nodes into `ledger_node`, and signs Root() every few seconds;
//   - `audit verify`: recompute the root from every stored leaf, one Append
//     per leaf (a few hundred ns each), and compare with the signed heads.
//
//   ledger::CompactRange range;                       // the empty log
//   std::vector<ledger::Node> added;
//   range.Append(ledger::HashLeaf(crypto::AsBytes(leaf)), &added);  // store `added`
//   ledger::Hash root = range.Root();
//   // Resume after a restart from the stored peaks:
//   MAMORI_ASSIGN_OR_RETURN(auto range, ledger::CompactRange::FromSource(source, size));
//
// Transactions: Append changes the value at once, the database only at
// commit. Append inside a transaction (or a group-commit savepoint) to a
// *copy* and keep the copy only once the commit succeeds; on rollback drop
// it. A copy is at most 63 hashes (2 KB), so this is cheap:
//
//   ledger::CompactRange next = live_range;          // snapshot at the savepoint
//   next.Append(leaf_hash, &added);                  // + INSERT leaf and `added`
//   ... commit ok ? live_range = std::move(next) : (void)0;
//
// CompactRange owns its peaks (a copyable value of about 32 * log2(size)
// bytes). Thread-safety: none; one writer at a time, like any value.

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "ledger/hash.h"
#include "ledger/hash_source.h"

namespace mamori::ledger {

class CompactRange {
 public:
  // The empty range: size 0, Root() is the empty tree's root.
  CompactRange() = default;

  // The nodes whose hashes make up the compact range of a tree of `size`
  // leaves: one perfect subtree per 1 bit of size, left to right.
  // REQUIRES: size <= kMaxTreeSize.
  static std::vector<NodeId> PeakIds(uint64_t size);

  // A range of `size` leaves from the hashes of PeakIds(size), in that order.
  // Errors: kInvalidArgument if size > kMaxTreeSize or peaks.size() is not
  // the number of 1 bits of size.
  static core::Result<CompactRange> FromPeaks(uint64_t size, std::vector<Hash> peaks);

  // A range of `size` leaves, reading PeakIds(size) from `source` (one call).
  // Errors: kInvalidArgument if size > kMaxTreeSize; whatever `source`
  // returns (kNotFound if it does not hold that many leaves); kInternal if it
  // returns the wrong number of hashes.
  static core::Result<CompactRange> FromSource(const HashSource& source, uint64_t size);

  // Appends the leaf hash of leaf number size() (use HashLeaf). If
  // `completed` is not null, the nodes this append creates are appended to
  // it, bottom up: first (0, old size), then every perfect subtree the leaf
  // completes. REQUIRES: size() < kMaxTreeSize.
  void Append(const Hash& leaf_hash, std::vector<Node>* completed = nullptr);

  // The number of leaves.
  uint64_t size() const { return size_; }
  // The hashes of PeakIds(size()), left to right.
  std::span<const Hash> peaks() const { return peaks_; }

  // The RFC 9162 root of the tree of size() leaves: the peaks folded from the
  // right, or the empty tree's root when size() == 0. O(log size) hashes.
  Hash Root() const;

 private:
  CompactRange(uint64_t size, std::vector<Hash> peaks) : size_(size), peaks_(std::move(peaks)) {}

  uint64_t size_ = 0;
  std::vector<Hash> peaks_;
};

}  // namespace mamori::ledger

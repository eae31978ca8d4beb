// SPDX-License-Identifier: Apache-2.0
#pragma once

// Test-only (mamori::ledger_testing): a deliberately naive Merkle tree that
// follows the recursive definitions of RFC 6962 §2.1 word for word — MTH,
// PATH and PROOF/SUBPROOF with "k is the largest power of two smaller than
// n" — so the compact, node-indexed code in proof.cc and compact_range.cc has
// an independent implementation to be compared with.
//
//   ledger::testing::ReferenceTree ref(leaf_hashes);
//   EXPECT_EQ(tree.Root(), ref.Root(n));
//   EXPECT_THAT(tree.InclusionProof(m, n), IsOkAndHolds(ref.Path(m, n)));
//
// Subtree hashes are memoised (the definitions stay naive; only repeated
// work is saved). Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "ledger/hash.h"

namespace mamori::ledger::testing {

class ReferenceTree {
 public:
  explicit ReferenceTree(std::vector<Hash> leaf_hashes) : leaves_(std::move(leaf_hashes)) {}

  uint64_t size() const { return leaves_.size(); }
  // MTH(D[0:n]). REQUIRES n <= size().
  Hash Root(uint64_t n);
  // MTH(D[begin:end]).
  Hash Mth(uint64_t begin, uint64_t end);
  // PATH(m, D[0:n]), the audit path (inclusion proof). REQUIRES m < n <= size().
  std::vector<Hash> Path(uint64_t m, uint64_t n);
  // PROOF(m, D[0:n]), the consistency proof. REQUIRES 0 < m <= n <= size().
  std::vector<Hash> Proof(uint64_t m, uint64_t n);

  // The lengths of PATH(m, D[n]) and PROOF(m, D[n]), from the same
  // recursions over sizes only (no hashes, so any sizes work).
  static size_t PathLength(uint64_t m, uint64_t n);
  static size_t ProofLength(uint64_t m, uint64_t n);

 private:
  std::vector<Hash> Path(uint64_t m, uint64_t begin, uint64_t end);
  std::vector<Hash> SubProof(uint64_t m, uint64_t begin, uint64_t end, bool complete);
  static size_t SubProofLength(uint64_t m, uint64_t n, bool complete);

  std::vector<Hash> leaves_;
  std::map<std::pair<uint64_t, uint64_t>, Hash> memo_;
};

// The largest power of two smaller than n (RFC 6962's k). REQUIRES n > 1.
uint64_t LargestPowerOfTwoBelow(uint64_t n);

}  // namespace mamori::ledger::testing

// SPDX-License-Identifier: Apache-2.0
#include "ledger/testing/reference_tree.h"

#include "core/check.h"
#include "ledger/internal/tree_hasher.h"

namespace mamori::ledger::testing {

uint64_t LargestPowerOfTwoBelow(uint64_t n) {
  MAMORI_CHECK(n > 1);
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash ReferenceTree::Root(uint64_t n) { return Mth(0, n); }

Hash ReferenceTree::Mth(uint64_t begin, uint64_t end) {
  MAMORI_CHECK(begin <= end && end <= leaves_.size());
  const uint64_t n = end - begin;
  if (n == 0) return internal::EmptyRoot();
  if (n == 1) return leaves_[begin];
  auto it = memo_.find({begin, end});
  if (it != memo_.end()) return it->second;
  const uint64_t k = LargestPowerOfTwoBelow(n);
  Hash hash = internal::HashChildren(Mth(begin, begin + k), Mth(begin + k, end));
  memo_.emplace(std::make_pair(begin, end), hash);
  return hash;
}

std::vector<Hash> ReferenceTree::Path(uint64_t m, uint64_t n) {
  MAMORI_CHECK(m < n && n <= leaves_.size());
  return Path(m, 0, n);
}

// PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])     for m < k
//               = PATH(m - k, D[k:n]) : MTH(D[0:k])  for m >= k
std::vector<Hash> ReferenceTree::Path(uint64_t m, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (n == 1) return {};
  const uint64_t k = LargestPowerOfTwoBelow(n);
  std::vector<Hash> path;
  if (m < k) {
    path = Path(m, begin, begin + k);
    path.push_back(Mth(begin + k, end));
  } else {
    path = Path(m - k, begin + k, end);
    path.push_back(Mth(begin, begin + k));
  }
  return path;
}

std::vector<Hash> ReferenceTree::Proof(uint64_t m, uint64_t n) {
  MAMORI_CHECK(0 < m && m <= n && n <= leaves_.size());
  return SubProof(m, 0, n, true);
}

// SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
// m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
// m > k:  SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
std::vector<Hash> ReferenceTree::SubProof(uint64_t m, uint64_t begin, uint64_t end, bool complete) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (complete) return {};
    return {Mth(begin, end)};
  }
  const uint64_t k = LargestPowerOfTwoBelow(n);
  std::vector<Hash> proof;
  if (m <= k) {
    proof = SubProof(m, begin, begin + k, complete);
    proof.push_back(Mth(begin + k, end));
  } else {
    proof = SubProof(m - k, begin + k, end, false);
    proof.push_back(Mth(begin, begin + k));
  }
  return proof;
}

size_t ReferenceTree::PathLength(uint64_t m, uint64_t n) {
  MAMORI_CHECK(m < n);
  if (n == 1) return 0;
  const uint64_t k = LargestPowerOfTwoBelow(n);
  return 1 + (m < k ? PathLength(m, k) : PathLength(m - k, n - k));
}

size_t ReferenceTree::ProofLength(uint64_t m, uint64_t n) {
  MAMORI_CHECK(0 < m && m <= n);
  return SubProofLength(m, n, true);
}

size_t ReferenceTree::SubProofLength(uint64_t m, uint64_t n, bool complete) {
  if (m == n) return complete ? 0 : 1;
  const uint64_t k = LargestPowerOfTwoBelow(n);
  return 1 + (m <= k ? SubProofLength(m, k, complete) : SubProofLength(m - k, n - k, false));
}

}  // namespace mamori::ledger::testing

// SPDX-License-Identifier: Apache-2.0
#include "ledger/in_memory_tree.h"

#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "crypto/secure_bytes.h"
#include "ledger/proof.h"
#include "ledger/testing/reference_tree.h"

namespace mamori::ledger {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using crypto::AsBytes;
using ::testing::ElementsAreArray;
using Reference = ::mamori::ledger::testing::ReferenceTree;

std::vector<Hash> LeafHashes(uint64_t n, uint64_t salt = 0) {
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < n; ++i) {
    leaves.push_back(HashLeaf(AsBytes(std::to_string(salt) + "/" + std::to_string(i))));
  }
  return leaves;
}

InMemoryTree Build(const std::vector<Hash>& leaves) {
  InMemoryTree tree;
  for (const Hash& leaf : leaves) tree.Append(leaf);
  return tree;
}

// Every root, inclusion proof and consistency proof of every tree up to 64
// leaves equals the naive RFC 6962 recursion's, and verifies.
TEST(InMemoryTreeTest, MatchesTheNaiveRfc6962TreeExhaustivelyUpTo64Leaves) {
  const std::vector<Hash> leaves = LeafHashes(64);
  Reference ref(leaves);
  const InMemoryTree tree = Build(leaves);
  int inclusion = 0;
  int consistency = 0;
  for (uint64_t n = 0; n <= 64; ++n) {
    ASSERT_THAT(tree.RootAt(n), IsOkAndHolds(ref.Root(n))) << n;
    for (uint64_t m = 0; m < n; ++m) {
      const std::vector<Hash> want = ref.Path(m, n);
      ASSERT_THAT(tree.InclusionProof(m, n), IsOkAndHolds(ElementsAreArray(want)))
          << m << " in " << n;
      ASSERT_THAT(VerifyInclusion(m, n, leaves[m], want, ref.Root(n)), IsOk());
      ++inclusion;
    }
    for (uint64_t m = 1; m <= n; ++m) {
      const std::vector<Hash> want = ref.Proof(m, n);
      ASSERT_THAT(tree.ConsistencyProof(m, n), IsOkAndHolds(ElementsAreArray(want)))
          << m << " -> " << n;
      ASSERT_THAT(VerifyConsistency(m, n, want, ref.Root(m), ref.Root(n)), IsOk());
      ++consistency;
    }
  }
  EXPECT_EQ(inclusion, 64 * 65 / 2);
  EXPECT_EQ(consistency, 64 * 65 / 2);
}

// Random sizes up to a few thousand, random indexes and pairs. The seed is
// --gtest_random_seed (0 unless given); rerun a failure with the printed seed.
TEST(InMemoryTreeTest, RandomTreesMatchTheNaiveRfc6962Tree) {
  const uint32_t seed = ::testing::GTEST_FLAG(random_seed);
  SCOPED_TRACE("rerun with --gtest_random_seed=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  int checked = 0;
  for (int round = 0; round < 12; ++round) {
    const uint64_t size = 1 + rng() % 4000;
    const std::vector<Hash> leaves = LeafHashes(size, rng());
    Reference ref(leaves);
    const InMemoryTree tree = Build(leaves);
    SCOPED_TRACE("size " + std::to_string(size));
    ASSERT_EQ(tree.Root(), ref.Root(size));
    for (int i = 0; i < 40; ++i) {
      const uint64_t n = 1 + rng() % size;
      const uint64_t m = rng() % n;
      ASSERT_THAT(tree.RootAt(n), IsOkAndHolds(ref.Root(n)));
      const std::vector<Hash> path = ref.Path(m, n);
      ASSERT_THAT(tree.InclusionProof(m, n), IsOkAndHolds(ElementsAreArray(path)))
          << m << " in " << n;
      ASSERT_THAT(VerifyInclusion(m, n, leaves[m], path, ref.Root(n)), IsOk());
      const std::vector<Hash> proof = ref.Proof(m + 1, n);
      ASSERT_THAT(tree.ConsistencyProof(m + 1, n), IsOkAndHolds(ElementsAreArray(proof)))
          << m + 1 << " -> " << n;
      ASSERT_THAT(VerifyConsistency(m + 1, n, proof, ref.Root(m + 1), ref.Root(n)), IsOk());
      ++checked;
    }
  }
  EXPECT_EQ(checked, 12 * 40);
}

TEST(InMemoryTreeTest, NodeHashesOfIncompleteNodesAreNotFound) {
  const InMemoryTree tree = Build(LeafHashes(6));
  const std::vector<NodeId> present = {{0, 5}, {1, 2}, {2, 0}};
  EXPECT_THAT(tree.NodeHashes(present), IsOk());
  for (NodeId missing : {NodeId{0, 6}, NodeId{1, 3}, NodeId{2, 1}, NodeId{3, 0}, NodeId{40, 0}}) {
    EXPECT_THAT(tree.NodeHashes({&missing, 1}), StatusIs(StatusCode::kNotFound));
  }
}

TEST(InMemoryTreeTest, ReserveChangesNothingVisible) {
  const std::vector<Hash> leaves = LeafHashes(100);
  InMemoryTree reserved;
  reserved.Reserve(1000);
  for (const Hash& leaf : leaves) reserved.Append(leaf);
  EXPECT_EQ(reserved.Root(), Build(leaves).Root());
  EXPECT_THAT(reserved.InclusionProof(37, 100), IsOk());
}

TEST(InMemoryTreeTest, EmptyTreeHasTheEmptyRootAndNoProofs) {
  const InMemoryTree tree;
  EXPECT_EQ(HashToHex(tree.Root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_THAT(tree.InclusionProof(0, 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(tree.ConsistencyProof(0, 0), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mamori::ledger

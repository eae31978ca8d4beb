// SPDX-License-Identifier: Apache-2.0
#include "ledger/compact_range.h"

#include <bit>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "crypto/secure_bytes.h"
#include "ledger/in_memory_tree.h"
#include "ledger/testing/reference_tree.h"

namespace mamori::ledger {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using crypto::AsBytes;
using ::testing::ElementsAre;
using Reference = ::mamori::ledger::testing::ReferenceTree;

std::vector<Hash> LeafHashes(uint64_t n) {
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < n; ++i) leaves.push_back(HashLeaf(AsBytes("leaf " + std::to_string(i))));
  return leaves;
}

TEST(CompactRangeTest, EmptyRangeHasTheEmptyRoot) {
  CompactRange range;
  EXPECT_EQ(range.size(), 0u);
  EXPECT_TRUE(range.peaks().empty());
  EXPECT_EQ(HashToHex(range.Root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// The numbering documented in hash_source.h: node (L, i) is the perfect
// subtree over leaves [i * 2^L, (i + 1) * 2^L), created by the append that
// completes it, bottom up.
TEST(CompactRangeTest, AppendReportsExactlyTheNodesItCompletes) {
  const std::vector<Hash> leaves = LeafHashes(300);
  Reference ref(leaves);
  CompactRange range;
  size_t total = 0;
  for (uint64_t n = 0; n < leaves.size(); ++n) {
    std::vector<Node> added;
    range.Append(leaves[n], &added);
    ASSERT_EQ(added.size(), 1u + std::countr_one(n)) << n;
    for (size_t k = 0; k < added.size(); ++k) {
      const NodeId& id = added[k].id;
      EXPECT_EQ(id.level, k) << "bottom up";
      EXPECT_EQ(id.end(), n + 1) << "each new node ends at the new leaf";
      EXPECT_EQ(added[k].hash, ref.Mth(id.begin(), id.end()));
    }
    EXPECT_EQ(range.Root(), ref.Root(n + 1)) << n + 1;
    total += added.size();
  }
  EXPECT_EQ(total, 2 * 300u - std::popcount(300u)) << "2n - popcount(n) nodes in all";
}

TEST(CompactRangeTest, AppendCountsAsTheDocumentedExample) {
  const std::vector<Hash> leaves = LeafHashes(7);
  CompactRange range;
  std::vector<Node> added;
  for (int i = 0; i < 6; ++i) range.Append(leaves[i], &added);
  std::vector<NodeId> ids;
  for (const Node& n : added) ids.push_back(n.id);
  EXPECT_THAT(ids,
              ElementsAre(NodeId{0, 0}, NodeId{0, 1}, NodeId{1, 0}, NodeId{0, 2}, NodeId{0, 3},
                          NodeId{1, 1}, NodeId{2, 0}, NodeId{0, 4}, NodeId{0, 5}, NodeId{1, 2}));
  EXPECT_THAT(CompactRange::PeakIds(6), ElementsAre(NodeId{2, 0}, NodeId{1, 2}));
  added.clear();
  range.Append(leaves[6], &added);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].id, (NodeId{0, 6}));
  EXPECT_THAT(CompactRange::PeakIds(7), ElementsAre(NodeId{2, 0}, NodeId{1, 2}, NodeId{0, 6}));
}

TEST(CompactRangeTest, ResumesFromPeaksOrFromAHashSource) {
  const std::vector<Hash> leaves = LeafHashes(100);
  InMemoryTree tree;
  for (int i = 0; i < 57; ++i) tree.Append(leaves[i]);
  core::Result<CompactRange> from_source = CompactRange::FromSource(tree, 57);
  ASSERT_THAT(from_source, IsOk());
  std::vector<Hash> peaks(from_source->peaks().begin(), from_source->peaks().end());
  core::Result<CompactRange> from_peaks = CompactRange::FromPeaks(57, peaks);
  ASSERT_THAT(from_peaks, IsOk());
  for (int i = 57; i < 100; ++i) {
    tree.Append(leaves[i]);
    from_source->Append(leaves[i]);
    from_peaks->Append(leaves[i]);
  }
  EXPECT_EQ(from_source->Root(), tree.Root());
  EXPECT_EQ(from_peaks->Root(), tree.Root());
  EXPECT_EQ(from_peaks->size(), 100u);
}

TEST(CompactRangeTest, FromPeaksRejectsTheWrongNumberOfPeaks) {
  const std::vector<Hash> three = LeafHashes(3);
  EXPECT_THAT(CompactRange::FromPeaks(7, three), IsOk());
  EXPECT_THAT(CompactRange::FromPeaks(6, three), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CompactRange::FromPeaks(0, three), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CompactRange::FromPeaks(kMaxTreeSize + 1, std::vector<Hash>(1)),
              StatusIs(StatusCode::kInvalidArgument));
  InMemoryTree small;
  small.Append(three[0]);
  EXPECT_THAT(CompactRange::FromSource(small, 3), StatusIs(StatusCode::kNotFound));
}

TEST(CompactRangeTest, PeakIdsOfTheLargestTreeAreSixtyThreeNodes) {
  const std::vector<NodeId> ids = CompactRange::PeakIds(kMaxTreeSize);
  ASSERT_EQ(ids.size(), 63u);
  EXPECT_EQ(ids.front(), (NodeId{62, 0}));
  EXPECT_EQ(ids.back(), (NodeId{0, kMaxTreeSize - 1}));
}

TEST(CompactRangeDeathTest, AppendBeyondTheLargestTreeAborts) {
  std::vector<Hash> peaks(63);
  core::Result<CompactRange> full = CompactRange::FromPeaks(kMaxTreeSize, peaks);
  ASSERT_THAT(full, IsOk());
  EXPECT_DEATH(full->Append(Hash{}), "kMaxTreeSize");
}

}  // namespace
}  // namespace mamori::ledger

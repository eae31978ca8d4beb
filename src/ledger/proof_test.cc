// SPDX-License-Identifier: Apache-2.0
#include "ledger/proof.h"

#include <bit>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "crypto/secure_bytes.h"
#include "ledger/in_memory_tree.h"
#include "ledger/internal/tree_hasher.h"
#include "ledger/testing/proof_file.h"

namespace mamori::ledger {
namespace {

namespace json = boost::json;
namespace lt = ::mamori::ledger::testing;
using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using crypto::AsBytes;
using ::testing::ElementsAreArray;

const std::string kMerkleDir = std::string(MAMORI_SHARED_DIR) + "/data/vectors/merkle";

Hash HexHash(const json::value& v) {
  std::optional<lt::Bytes> bytes = lt::HexDecode(std::string_view(v.as_string()));
  EXPECT_TRUE(bytes.has_value() && bytes->size() == kHashSize) << v;
  Hash hash{};
  if (bytes && bytes->size() == kHashSize) std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

std::vector<Hash> HexHashes(const json::value& v) {
  std::vector<Hash> out;
  for (const json::value& item : v.as_array()) out.push_back(HexHash(item));
  return out;
}

// shared/data/vectors/merkle/merkle_rfc6962_vectors.json (shared/data/README.md §1.4):
// the long-standing Certificate Transparency values for the 8 standard leaves.
class Rfc6962VectorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ifstream in(kMerkleDir + "/merkle_rfc6962_vectors.json", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    boost::system::error_code ec;
    vectors_ = new json::value(json::parse(text, ec));
    ASSERT_FALSE(ec) << "cannot parse the Merkle vectors";
  }
  static void TearDownTestSuite() { delete vectors_; }

  void SetUp() override {
    ASSERT_TRUE(vectors_->is_object());
    for (const json::value& leaf : vectors_->at("leaves_hex").as_array()) {
      std::optional<lt::Bytes> bytes = lt::HexDecode(std::string_view(leaf.as_string()));
      ASSERT_TRUE(bytes.has_value());
      tree_.Append(HashLeaf(*bytes));
    }
    ASSERT_EQ(tree_.size(), 8u);
  }

  const json::value& At(std::string_view key) { return vectors_->at(key); }

  static json::value* vectors_;
  InMemoryTree tree_;
};
json::value* Rfc6962VectorsTest::vectors_ = nullptr;

TEST_F(Rfc6962VectorsTest, LeafHashesAndEveryNodeHashMatch) {
  int nodes = 0;
  const json::array& levels = At("node_hashes").as_array();
  for (size_t level = 0; level < levels.size(); ++level) {
    const std::vector<Hash> want = HexHashes(levels[level]);
    for (size_t i = 0; i < want.size(); ++i) {
      const NodeId id{static_cast<uint8_t>(level), i};
      EXPECT_THAT(tree_.NodeHashes({&id, 1}), IsOkAndHolds(ElementsAreArray({want[i]})))
          << "node (" << level << ", " << i << ")";
      ++nodes;
    }
  }
  EXPECT_EQ(levels.size(), 4u);
  EXPECT_EQ(nodes, 8 + 4 + 2 + 1);
}

TEST_F(Rfc6962VectorsTest, RootsForSizesZeroToEightMatch) {
  int roots = 0;
  for (const json::value& v : At("root_hashes").as_array()) {
    const uint64_t size = v.at("tree_size").to_number<uint64_t>();
    const Hash want = HexHash(v.at("root_hex"));
    EXPECT_THAT(tree_.RootAt(size), IsOkAndHolds(want)) << size;
    EXPECT_THAT(RootHash(tree_, size), IsOkAndHolds(want)) << size;
    ++roots;
  }
  EXPECT_EQ(roots, 9);
  EXPECT_EQ(HashToHex(tree_.Root()), HashToHex(*tree_.RootAt(8)));
}

TEST_F(Rfc6962VectorsTest, EveryListedInclusionProofIsGeneratedAndVerifies) {
  int proofs = 0;
  for (const json::value& v : At("inclusion_proofs").as_array()) {
    const uint64_t index = v.at("leaf_index").to_number<uint64_t>();
    const uint64_t size = v.at("tree_size").to_number<uint64_t>();
    const Hash leaf = HexHash(v.at("leaf_hash_hex"));
    const Hash root = HexHash(v.at("root_hex"));
    const std::vector<Hash> want = HexHashes(v.at("proof_hex"));
    SCOPED_TRACE("leaf " + std::to_string(index) + " in " + std::to_string(size));
    EXPECT_THAT(tree_.NodeHashes(std::vector<NodeId>{{0, index}}),
                IsOkAndHolds(ElementsAreArray({leaf})));
    EXPECT_THAT(tree_.InclusionProof(index, size), IsOkAndHolds(ElementsAreArray(want)));
    EXPECT_THAT(VerifyInclusion(index, size, leaf, want, root), IsOk());
    ++proofs;
  }
  EXPECT_EQ(proofs, 7);
}

TEST_F(Rfc6962VectorsTest, EveryListedConsistencyProofIsGeneratedAndVerifies) {
  int proofs = 0;
  for (const json::value& v : At("consistency_proofs").as_array()) {
    const uint64_t size1 = v.at("tree_size_1").to_number<uint64_t>();
    const uint64_t size2 = v.at("tree_size_2").to_number<uint64_t>();
    const Hash root1 = HexHash(v.at("root_1_hex"));
    const Hash root2 = HexHash(v.at("root_2_hex"));
    const std::vector<Hash> want = HexHashes(v.at("proof_hex"));
    SCOPED_TRACE(std::to_string(size1) + " -> " + std::to_string(size2));
    EXPECT_THAT(tree_.ConsistencyProof(size1, size2), IsOkAndHolds(ElementsAreArray(want)));
    EXPECT_THAT(VerifyConsistency(size1, size2, want, root1, root2), IsOk());
    ++proofs;
  }
  EXPECT_EQ(proofs, 5);
}

// shared/data/vectors/merkle/transparency-dev-testdata: 196 probe files, each
// passing or failing as its wantErr says (the Go verifier's edge-case rules).
TEST(TransparencyDevProbesTest, EveryProbePassesOrFailsAsItsWantErrSays) {
  const std::string root = kMerkleDir + "/transparency-dev-testdata";
  int files = 0;
  int passing = 0;
  for (const char* kind : {"inclusion", "consistency"}) {
    const std::vector<std::string> paths = lt::ListJsonFiles(root + "/" + kind);
    EXPECT_EQ(paths.size(), 98u) << kind;
    for (const std::string& path : paths) {
      core::Result<lt::ProofFile> probe = lt::ReadProofFile(path);
      ASSERT_THAT(probe, IsOk()) << path;
      const core::Status status = lt::VerifyProofFile(*probe);
      EXPECT_EQ(status.ok(), !probe->want_err)
          << path << " (" << probe->desc << "): " << status.ToString();
      if (!status.ok()) {
        EXPECT_THAT(status, ::testing::AnyOf(StatusIs(StatusCode::kInvalidArgument),
                                             StatusIs(StatusCode::kDataLoss)))
            << path;
      }
      passing += status.ok();
      ++files;
    }
  }
  EXPECT_EQ(files, 196);
  EXPECT_EQ(passing, 12);
}

// ---- Verification rules ----------------------------------------------------

class ProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 13; ++i) {
      leaves_.push_back(HashLeaf(AsBytes("leaf " + std::to_string(i))));
      tree_.Append(leaves_.back());
    }
  }
  std::vector<Hash> Inclusion(uint64_t index, uint64_t size) {
    return *tree_.InclusionProof(index, size);
  }
  std::vector<Hash> Consistency(uint64_t size1, uint64_t size2) {
    return *tree_.ConsistencyProof(size1, size2);
  }
  Hash Root(uint64_t size) { return *tree_.RootAt(size); }

  std::vector<Hash> leaves_;
  InMemoryTree tree_;
};

TEST_F(ProofTest, InclusionVerifiesForEveryLeafOfEveryPrefix) {
  for (uint64_t size = 1; size <= 13; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      EXPECT_THAT(VerifyInclusion(index, size, leaves_[index], Inclusion(index, size), Root(size)),
                  IsOk())
          << index << " in " << size;
    }
  }
}

TEST_F(ProofTest, InclusionFailsWhenLeafIndexIsNotBelowTreeSize) {
  EXPECT_THAT(VerifyInclusion(13, 13, leaves_[12], Inclusion(12, 13), Root(13)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyInclusion(0, 0, leaves_[0], {}, internal::EmptyRoot()),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ProofTest, InclusionFailsWhenLeafIndexIsOffByOne) {
  // 5 and 6 in a tree of 13 have proofs of the same length: a root mismatch.
  EXPECT_THAT(VerifyInclusion(6, 13, leaves_[5], Inclusion(5, 13), Root(13)),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyInclusion(4, 13, leaves_[5], Inclusion(5, 13), Root(13)),
              StatusIs(StatusCode::kDataLoss));
}

TEST_F(ProofTest, InclusionFailsWithAnotherLeafOrRoot) {
  EXPECT_THAT(VerifyInclusion(5, 13, leaves_[6], Inclusion(5, 13), Root(13)),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyInclusion(5, 13, leaves_[5], Inclusion(5, 13), Root(12)),
              StatusIs(StatusCode::kDataLoss));
}

TEST_F(ProofTest, InclusionProofOfTheWrongLengthIsInvalidArgument) {
  std::vector<Hash> proof = Inclusion(5, 13);
  std::vector<Hash> longer = proof;
  longer.push_back(leaves_[0]);
  std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
  EXPECT_THAT(VerifyInclusion(5, 13, leaves_[5], longer, Root(13)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyInclusion(5, 13, leaves_[5], shorter, Root(13)),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ProofTest, InclusionFailsWhenAnyProofBitIsFlipped) {
  const std::vector<Hash> proof = Inclusion(9, 13);
  for (size_t i = 0; i < proof.size(); ++i) {
    for (size_t bit = 0; bit < 8 * kHashSize; ++bit) {
      std::vector<Hash> bad = proof;
      bad[i][bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      ASSERT_THAT(VerifyInclusion(9, 13, leaves_[9], bad, Root(13)),
                  StatusIs(StatusCode::kDataLoss))
          << "hash " << i << " bit " << bit;
    }
  }
}

TEST_F(ProofTest, ConsistencyVerifiesBetweenEveryPairOfPrefixes) {
  for (uint64_t size2 = 1; size2 <= 13; ++size2) {
    for (uint64_t size1 = 1; size1 <= size2; ++size1) {
      EXPECT_THAT(
          VerifyConsistency(size1, size2, Consistency(size1, size2), Root(size1), Root(size2)),
          IsOk())
          << size1 << " -> " << size2;
    }
  }
}

TEST_F(ProofTest, ConsistencyFromTheEmptyTreeIsInvalidArgument) {
  const Hash empty = internal::EmptyRoot();
  EXPECT_THAT(VerifyConsistency(0, 0, {}, empty, empty), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(0, 5, {}, empty, Root(5)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(tree_.ConsistencyProof(0, 5), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(tree_.ConsistencyProof(0, 0), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ProofTest, ConsistencyBetweenEqualSizesNeedsAnEmptyProofAndEqualRoots) {
  EXPECT_THAT(tree_.ConsistencyProof(7, 7), IsOkAndHolds(::testing::IsEmpty()));
  EXPECT_THAT(VerifyConsistency(7, 7, {}, Root(7), Root(7)), IsOk());
  EXPECT_THAT(VerifyConsistency(7, 7, {}, Root(7), Root(6)), StatusIs(StatusCode::kDataLoss));
  const std::vector<Hash> one = {leaves_[0]};
  EXPECT_THAT(VerifyConsistency(7, 7, one, Root(7), Root(7)),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ProofTest, ConsistencyFromALargerTreeIsInvalidArgument) {
  EXPECT_THAT(VerifyConsistency(8, 7, Consistency(7, 8), Root(8), Root(7)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(tree_.ConsistencyProof(8, 7), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ProofTest, ConsistencyFailsWhenEitherRootOrAnyProofBitChanges) {
  const std::vector<Hash> proof = Consistency(6, 13);
  EXPECT_THAT(VerifyConsistency(6, 13, proof, Root(5), Root(13)), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyConsistency(6, 13, proof, Root(6), Root(12)), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyConsistency(6, 13, proof, Root(13), Root(6)), StatusIs(StatusCode::kDataLoss));
  for (size_t i = 0; i < proof.size(); ++i) {
    for (size_t bit = 0; bit < 8 * kHashSize; ++bit) {
      std::vector<Hash> bad = proof;
      bad[i][bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      ASSERT_THAT(VerifyConsistency(6, 13, bad, Root(6), Root(13)), StatusIs(StatusCode::kDataLoss))
          << "hash " << i << " bit " << bit;
    }
  }
}

// A truncate-and-re-append of the log (SYS-54): the rewritten log of the same
// size has a different root, and no consistency proof from the old head holds.
TEST_F(ProofTest, ConsistencyProofCatchesARewrittenHistory) {
  InMemoryTree rewritten;
  for (int i = 0; i < 13; ++i) {
    rewritten.Append(i == 4 ? HashLeaf(AsBytes("forged")) : leaves_[i]);
  }
  const std::vector<Hash> proof = *rewritten.ConsistencyProof(8, 13);
  EXPECT_THAT(VerifyConsistency(8, 13, proof, Root(8), rewritten.Root()),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyConsistency(8, 13, Consistency(8, 13), Root(8), rewritten.Root()),
              StatusIs(StatusCode::kDataLoss));
}

// ---- Raw bytes -----------------------------------------------------------------

std::vector<uint8_t> Bytes(const Hash& h) { return {h.begin(), h.end()}; }

TEST_F(ProofTest, RawOverloadsAgreeWithTypedOnes) {
  std::vector<lt::Bytes> proof;
  for (const Hash& h : Inclusion(5, 13)) proof.push_back(Bytes(h));
  std::vector<ByteView> views(proof.begin(), proof.end());
  const lt::Bytes leaf = Bytes(leaves_[5]);
  const lt::Bytes root = Bytes(Root(13));
  EXPECT_THAT(VerifyInclusion(5, 13, ByteView(leaf), views, ByteView(root)), IsOk());
  EXPECT_THAT(ParseProof(views), IsOkAndHolds(ElementsAreArray(Inclusion(5, 13))));
}

TEST_F(ProofTest, RawOverloadsRejectHashesThatAreNot32Bytes) {
  const std::vector<Hash> proof = Consistency(6, 13);
  for (size_t bad_size : {0u, 31u, 33u}) {
    SCOPED_TRACE(bad_size);
    const lt::Bytes bad(bad_size, 1);
    const lt::Bytes leaf = Bytes(leaves_[5]);
    const lt::Bytes root6 = Bytes(Root(6));
    const lt::Bytes root13 = Bytes(Root(13));
    std::vector<lt::Bytes> inclusion;
    for (const Hash& h : Inclusion(5, 13)) inclusion.push_back(Bytes(h));
    std::vector<ByteView> views(inclusion.begin(), inclusion.end());
    EXPECT_THAT(VerifyInclusion(5, 13, ByteView(bad), views, ByteView(root13)),
                StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(VerifyInclusion(5, 13, ByteView(leaf), views, ByteView(bad)),
                StatusIs(StatusCode::kInvalidArgument));
    views[1] = ByteView(bad);
    EXPECT_THAT(VerifyInclusion(5, 13, ByteView(leaf), views, ByteView(root13)),
                StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(ParseProof(views), StatusIs(StatusCode::kInvalidArgument));

    std::vector<lt::Bytes> consistency;
    for (const Hash& h : proof) consistency.push_back(Bytes(h));
    std::vector<ByteView> cviews(consistency.begin(), consistency.end());
    EXPECT_THAT(VerifyConsistency(6, 13, cviews, ByteView(bad), ByteView(root13)),
                StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(VerifyConsistency(6, 13, cviews, ByteView(root6), ByteView(bad)),
                StatusIs(StatusCode::kInvalidArgument));
    cviews[0] = ByteView(bad);
    EXPECT_THAT(VerifyConsistency(6, 13, cviews, ByteView(root6), ByteView(root13)),
                StatusIs(StatusCode::kInvalidArgument));
  }
}

// The one place lengths are not checked (proof.h): equal sizes, empty proof,
// byte-identical roots. Differing roots of a wrong length are still refused.
TEST_F(ProofTest, RawEqualSizeConsistencyComparesRootsAsBytes) {
  const lt::Bytes twelve(12, 'x');
  const lt::Bytes other(12, 'y');
  const lt::Bytes root = Bytes(Root(3));
  EXPECT_THAT(VerifyConsistency(3, 3, {}, ByteView(twelve), ByteView(twelve)), IsOk());
  EXPECT_THAT(VerifyConsistency(3, 3, {}, ByteView(twelve), ByteView(other)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(3, 3, {}, ByteView(twelve), ByteView(root)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(0, 0, {}, ByteView(root), ByteView(root)),
              StatusIs(StatusCode::kInvalidArgument));
}

// Verification takes any uint64_t size, as RFC 9162 verifiers do: paths can be
// 64 levels deep, and no shift may overflow.
TEST_F(ProofTest, VerifiersHandleSizesNearTwoToThe64) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const std::vector<Hash> sixty_four(64, leaves_[0]);
  const std::vector<Hash> sixty_three(63, leaves_[0]);
  EXPECT_THAT(VerifyInclusion(0, max, leaves_[0], sixty_four, Root(1)),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyInclusion(0, max, leaves_[0], sixty_three, Root(1)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyInclusion(max - 1, max, leaves_[0], sixty_four, Root(1)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyInclusion(max - 2, max, leaves_[0], sixty_four, Root(1)),
              StatusIs(StatusCode::kDataLoss));
  const std::vector<Hash> one = {leaves_[0]};
  EXPECT_THAT(VerifyConsistency(uint64_t{1} << 63, max, one, Root(1), Root(2)),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyConsistency(max - 1, max, sixty_four, Root(1), Root(2)),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyConsistency(max - 1, max, sixty_three, Root(1), Root(2)),
              StatusIs(StatusCode::kInvalidArgument));
}

// ---- Generation -------------------------------------------------------------

// Wraps a source and counts what the proof functions ask of it.
class CountingSource final : public HashSource {
 public:
  explicit CountingSource(const HashSource& inner) : inner_(inner) {}
  core::Result<std::vector<Hash>> NodeHashes(std::span<const NodeId> ids) const override {
    ++calls;
    nodes += ids.size();
    return inner_.NodeHashes(ids);
  }
  mutable int calls = 0;
  mutable size_t nodes = 0;

 private:
  const HashSource& inner_;
};

class FailingSource final : public HashSource {
 public:
  explicit FailingSource(core::Result<std::vector<Hash>> answer) : answer_(std::move(answer)) {}
  core::Result<std::vector<Hash>> NodeHashes(std::span<const NodeId>) const override {
    return answer_;
  }

 private:
  core::Result<std::vector<Hash>> answer_;
};

TEST(ProofGenerationTest, ReadsAtMostTwoLog2NodesInOneBatch) {
  InMemoryTree tree;
  for (int i = 0; i < 1000; ++i) tree.Append(HashLeaf(AsBytes(std::to_string(i))));
  for (uint64_t size = 1; size <= 1000; size += 37) {
    const size_t bound = 2 * static_cast<size_t>(std::bit_width(size));
    for (uint64_t index = 0; index < size; index += 11) {
      CountingSource source(tree);
      ASSERT_THAT(InclusionProof(source, index, size), IsOk());
      EXPECT_EQ(source.calls, 1);
      EXPECT_LE(source.nodes, bound) << index << " in " << size;
      CountingSource csource(tree);
      ASSERT_THAT(ConsistencyProof(csource, index + 1, size), IsOk());
      EXPECT_LE(csource.calls, 1);
      EXPECT_LE(csource.nodes, bound) << index + 1 << " -> " << size;
    }
    CountingSource rsource(tree);
    ASSERT_THAT(RootHash(rsource, size), IsOk());
    EXPECT_EQ(rsource.nodes, static_cast<size_t>(std::popcount(size)));
  }
}

TEST(ProofGenerationTest, RejectsIndexesAndSizesOutOfRange) {
  InMemoryTree tree;
  for (int i = 0; i < 5; ++i) tree.Append(HashLeaf(AsBytes(std::to_string(i))));
  EXPECT_THAT(InclusionProof(tree, 5, 5), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(InclusionProof(tree, 0, 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(InclusionProof(tree, 0, kMaxTreeSize + 1), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ConsistencyProof(tree, 1, kMaxTreeSize + 1), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(RootHash(tree, kMaxTreeSize + 1), StatusIs(StatusCode::kInvalidArgument));
  // Beyond what the source holds: the source's kNotFound, or the tree's own check.
  EXPECT_THAT(InclusionProof(tree, 0, 6), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(tree.InclusionProof(0, 6), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(tree.ConsistencyProof(1, 6), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(tree.RootAt(6), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(RootHash(tree, 0), IsOkAndHolds(internal::EmptyRoot()));
}

TEST(ProofGenerationTest, PassesHashSourceErrorsThrough) {
  FailingSource down(core::UnavailableError("database is down"));
  EXPECT_THAT(InclusionProof(down, 2, 5), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(ConsistencyProof(down, 2, 5), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(RootHash(down, 5), StatusIs(StatusCode::kUnavailable));
  FailingSource short_answer(std::vector<Hash>{});
  EXPECT_THAT(InclusionProof(short_answer, 2, 5), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(RootHash(short_answer, 5), StatusIs(StatusCode::kInternal));
}

}  // namespace
}  // namespace mamori::ledger

// SPDX-License-Identifier: Apache-2.0
#include "ledger/leaf.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "crypto/aead.h"
#include "crypto/secure_bytes.h"
#include "crypto/signature.h"
#include "ledger/compact_range.h"
#include "ledger/hash.h"
#include "ledger/in_memory_tree.h"
#include "ledger/proof.h"
#include "ledger/testing/fuzz_seeds.h"
#include "ledger/tree_head.h"

namespace mamori::ledger {
namespace {

namespace lt = ::mamori::ledger::testing;
using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using crypto::AsBytes;

// A core::Random that returns the given bytes (for the worked example's nonce).
class FixedRandom final : public core::Random {
 public:
  explicit FixedRandom(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  void Fill(std::span<uint8_t> out) override {
    for (uint8_t& b : out) b = bytes_[next_++ % bytes_.size()];
  }

 private:
  std::vector<uint8_t> bytes_;
  size_t next_ = 0;
};

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

class LeafTest : public ::testing::Test {
 protected:
  LeafTest() : key_(crypto::AeadKey::Generate(random_)) {}

  Leaf MakeLeaf(uint64_t sequence, std::string_view event = R"({"action":"read"})") {
    Leaf leaf;
    leaf.key_id = key_.id();
    leaf.sequence = sequence;
    leaf.timestamp_ms = 1764000000000 + sequence;
    leaf.ciphertext = *crypto::Aead::Seal(key_, AsBytes(event),
                                          AsBytes("ledger/" + std::to_string(sequence)), random_);
    return leaf;
  }

  core::DeterministicRandom random_{::testing::GTEST_FLAG(random_seed)};
  crypto::AeadKey key_;
};

TEST_F(LeafTest, EncodeThenDecodeGivesTheSameLeaf) {
  const Leaf leaf = MakeLeaf(42);
  core::Result<std::string> bytes = EncodeLeaf(leaf);
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(bytes->size(), Leaf::kHeaderSize + leaf.ciphertext.size());
  EXPECT_THAT(DecodeLeaf(AsBytes(*bytes)), IsOkAndHolds(leaf));
}

TEST_F(LeafTest, DecodeRefusesEveryTruncation) {
  const std::string bytes = *EncodeLeaf(MakeLeaf(1));
  for (size_t size = 0; size < Leaf::kHeaderSize + crypto::Aead::kOverhead; ++size) {
    ASSERT_THAT(DecodeLeaf(AsBytes(bytes.substr(0, size))), StatusIs(StatusCode::kInvalidArgument))
        << size;
  }
}

TEST_F(LeafTest, DecodeRefusesOtherVersionsAndOutOfRangeNumbers) {
  const std::string bytes = *EncodeLeaf(MakeLeaf(1));
  for (int version : {0, 2, 255}) {
    std::string bad = bytes;
    bad[Leaf::kVersionOffset] = static_cast<char>(version);
    EXPECT_THAT(DecodeLeaf(AsBytes(bad)), StatusIs(StatusCode::kInvalidArgument)) << version;
  }
  for (size_t offset : {Leaf::kSequenceOffset, Leaf::kTimestampOffset}) {
    std::string bad = bytes;
    bad[offset] = static_cast<char>(0x80);
    EXPECT_THAT(DecodeLeaf(AsBytes(bad)), StatusIs(StatusCode::kInvalidArgument)) << offset;
  }
}

TEST_F(LeafTest, KeyIdMustBeTheEnvelopesOwn) {
  Leaf leaf = MakeLeaf(1);
  std::string bytes = *EncodeLeaf(leaf);
  bytes[Leaf::kKeyIdOffset + 3] ^= 1;
  EXPECT_THAT(DecodeLeaf(AsBytes(bytes)), StatusIs(StatusCode::kInvalidArgument));
  leaf.key_id = crypto::AeadKey::Generate(random_).id();
  EXPECT_THAT(EncodeLeaf(leaf), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(LeafTest, EncodeRefusesWhatDecodeWouldRefuse) {
  Leaf leaf = MakeLeaf(1);
  Leaf version = leaf;
  version.version = 2;
  EXPECT_THAT(EncodeLeaf(version), StatusIs(StatusCode::kInvalidArgument));
  Leaf sequence = leaf;
  sequence.sequence = uint64_t{1} << 63;
  EXPECT_THAT(EncodeLeaf(sequence), StatusIs(StatusCode::kInvalidArgument));
  Leaf not_sealed = leaf;
  not_sealed.ciphertext = "plaintext is never a leaf payload, whatever its length";
  EXPECT_THAT(EncodeLeaf(not_sealed), StatusIs(StatusCode::kInvalidArgument));
  Leaf huge = leaf;
  huge.ciphertext.resize(Leaf::kMaxCiphertextSize + 1);
  EXPECT_THAT(EncodeLeaf(huge), StatusIs(StatusCode::kInvalidArgument));
}

// DESIGN "Audit ledger": the leaf hash covers the ciphertext, so anyone can
// check integrity without the key. Here nothing below touches key_.
TEST_F(LeafTest, TamperingWithAnyLeafByteIsDetectedWithoutTheKey) {
  std::vector<std::string> leaves;
  InMemoryTree tree;
  for (uint64_t i = 0; i < 10; ++i) {
    leaves.push_back(*EncodeLeaf(MakeLeaf(i)));
    tree.Append(HashLeaf(AsBytes(leaves.back())));
  }
  const Hash root = tree.Root();
  const std::vector<Hash> proof = *tree.InclusionProof(7, 10);
  for (size_t i = 0; i < leaves[7].size(); ++i) {
    std::string tampered = leaves[7];
    tampered[i] ^= 0x20;
    ASSERT_THAT(VerifyInclusion(7, 10, HashLeaf(AsBytes(tampered)), proof, root),
                StatusIs(StatusCode::kDataLoss))
        << "byte " << i;
  }
  // A leaf moved to another position carries its own sequence number.
  EXPECT_EQ(DecodeLeaf(AsBytes(leaves[3]))->sequence, 3u);
}

// The tamper catalogue of GUIDELINE PLAN-10 / SYS-54 at the level of this
// module: each kind of change to the stored leaves is caught against a head
// signed before it, without the payload key. (The store and `audit verify`
// add the rows and the report; this shows the primitives suffice.)
class LedgerTamperTest : public LeafTest {
 protected:
  void SetUp() override {
    for (uint64_t i = 0; i < 20; ++i) log_.push_back(*EncodeLeaf(MakeLeaf(i)));
    head_.emplace(*SignedTreeHead::Parse(AsBytes(Head(log_).Serialize())));
  }

  static Hash Root(const std::vector<std::string>& log) {
    CompactRange range;
    for (const std::string& leaf : log) range.Append(HashLeaf(AsBytes(leaf)));
    return range.Root();
  }
  SignedTreeHead Head(const std::vector<std::string>& log) {
    TreeHead head;
    head.tree_size = log.size();
    head.root_hash = Root(log);
    head.timestamp_ms = 1764000000000;
    return *head.Sign(signing_key_);
  }
  // The first position whose leaf does not decode or carries another
  // sequence number: where a deleted, inserted or swapped row is.
  static int64_t FirstMisplaced(const std::vector<std::string>& log) {
    for (size_t i = 0; i < log.size(); ++i) {
      core::Result<Leaf> leaf = DecodeLeaf(AsBytes(log[i]));
      if (!leaf.ok() || leaf->sequence != i) return static_cast<int64_t>(i);
    }
    return -1;
  }
  bool MatchesHead(const std::vector<std::string>& log) {
    return head_->Verify(signing_key_.PublicKey()).ok() && log.size() == head_->head().tree_size &&
           Root(log) == head_->head().root_hash;
  }

  crypto::SigningKey signing_key_ = crypto::SigningKey::Generate(random_);
  std::vector<std::string> log_;
  std::optional<SignedTreeHead> head_;  // the head exported before any tampering
};

TEST_F(LedgerTamperTest, EachTamperingOfTheStoredLeavesIsCaught) {
  ASSERT_TRUE(MatchesHead(log_));
  EXPECT_EQ(FirstMisplaced(log_), -1);

  std::vector<std::string> flipped = log_;
  flipped[7][Leaf::kCiphertextOffset + 9] ^= 1;  // one ciphertext byte
  EXPECT_FALSE(MatchesHead(flipped));

  std::vector<std::string> deleted = log_;
  deleted.erase(deleted.begin() + 11);
  EXPECT_FALSE(MatchesHead(deleted));
  EXPECT_EQ(FirstMisplaced(deleted), 11);

  std::vector<std::string> swapped = log_;
  std::swap(swapped[4], swapped[5]);
  EXPECT_FALSE(MatchesHead(swapped));
  EXPECT_EQ(FirstMisplaced(swapped), 4);

  // Truncate to 12 and append 10 new leaves: a fresh head over the rewritten
  // log signs fine, but no consistency proof leads from the exported head.
  std::vector<std::string> rewritten(log_.begin(), log_.begin() + 12);
  for (uint64_t i = 12; i < 22; ++i) rewritten.push_back(*EncodeLeaf(MakeLeaf(i, "forged")));
  EXPECT_EQ(FirstMisplaced(rewritten), -1) << "sequence numbers alone cannot see this";
  InMemoryTree tree;
  for (const std::string& leaf : rewritten) tree.Append(HashLeaf(AsBytes(leaf)));
  const SignedTreeHead new_head = Head(rewritten);
  ASSERT_THAT(new_head.Verify(signing_key_.PublicKey()), IsOk());
  EXPECT_THAT(VerifyConsistency(20, 22, *tree.ConsistencyProof(20, 22), head_->head().root_hash,
                                new_head.head().root_hash),
              StatusIs(StatusCode::kDataLoss));
}

// The worked example in FORMAT.md, computed there with Python's hashlib and
// `cryptography` (AESGCM over the crypto envelope header plus the AAD).
TEST(LeafFormatTest, EncodeMatchesTheWorkedExampleInFormatMd) {
  std::array<uint8_t, 16> id;
  for (int i = 0; i < 16; ++i) id[i] = static_cast<uint8_t>(0xa0 + i);
  std::array<uint8_t, 32> key_bytes;
  for (int i = 0; i < 32; ++i) key_bytes[i] = static_cast<uint8_t>(i);
  const crypto::AeadKey key = *crypto::AeadKey::Import(crypto::AeadKeyId(id), key_bytes);
  std::vector<uint8_t> nonce;
  for (int i = 0; i < 12; ++i) nonce.push_back(static_cast<uint8_t>(0xb0 + i));
  FixedRandom random(nonce);
  Leaf leaf;
  leaf.key_id = key.id();
  leaf.sequence = 5;
  leaf.timestamp_ms = 1764000000000;
  leaf.ciphertext = *crypto::Aead::Seal(key, AsBytes(R"({"action":"read","outcome":"0"})"),
                                        AsBytes("ledger/5"), random);
  const std::string bytes = *EncodeLeaf(leaf);
  EXPECT_EQ(Hex(bytes),
            "01a0a1a2a3a4a5a6a7a8a9aaabacadae"
            "af00000000000000050000019ab697e8"
            "000101a0a1a2a3a4a5a6a7a8a9aaabac"
            "adaeafb0b1b2b3b4b5b6b7b8b9babbe2"
            "773bc898a4d43165c2b5d0a83cece0a8"
            "1e26a7614de0583becb8d36ca08f99e5"
            "9ffd2b9bc377a0da2eea86ebe5bf");
  EXPECT_EQ(HashToHex(HashLeaf(AsBytes(bytes))),
            "84bbbc3ad87faa0d7f8d00fd53a8af95d5d732699e85bb31799ef40bb9b1a717");
}

TEST(LeafFuzzCorpusTest, SeedsDecodeOnlyWhenValid) {
  int valid = 0;
  for (const lt::FuzzSeed& seed : lt::LeafSeeds()) {
    core::Result<Leaf> leaf = DecodeLeaf(AsBytes(seed.bytes));
    EXPECT_EQ(leaf.ok(), seed.name.starts_with("valid-")) << seed.name;
    valid += leaf.ok();
  }
  EXPECT_EQ(valid, 1);
}

}  // namespace
}  // namespace mamori::ledger

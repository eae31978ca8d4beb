// SPDX-License-Identifier: Apache-2.0
#include "ledger/tree_head.h"

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/secure_bytes.h"
#include "crypto/signature.h"
#include "ledger/internal/tree_hasher.h"
#include "ledger/testing/fuzz_keys.h"
#include "ledger/testing/fuzz_seeds.h"
#include "ledger/testing/proof_file.h"

namespace mamori::ledger {
namespace {

namespace lt = ::mamori::ledger::testing;
using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using crypto::AsBytes;
using ::testing::HasSubstr;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Hash HashFromHex(std::string_view hex) { return *ParseHash(*lt::HexDecode(hex)); }

class TreeHeadTest : public ::testing::Test {
 protected:
  TreeHeadTest() : key_(crypto::SigningKey::Generate(random_)) {
    head_.log_id.fill(0x5a);
    head_.tree_size = 1234;
    head_.root_hash = HashLeaf(AsBytes("some root"));
    head_.timestamp_ms = 1764000000123;
  }

  SignedTreeHead Signed() { return *head_.Sign(key_); }

  core::DeterministicRandom random_{::testing::GTEST_FLAG(random_seed)};
  crypto::SigningKey key_;
  TreeHead head_;
};

TEST_F(TreeHeadTest, SignedHeadVerifiesAndRoundTrips) {
  const SignedTreeHead sth = Signed();
  EXPECT_THAT(sth.Verify(key_.PublicKey()), IsOk());
  EXPECT_EQ(sth.head(), head_);
  EXPECT_EQ(sth.key_id(), KeyIdOf(key_.PublicKey()));
  const std::string bytes = sth.Serialize();
  ASSERT_EQ(bytes.size(), SignedTreeHead::kSize);
  EXPECT_EQ(bytes.substr(0, SignedTreeHead::kSignedSize), sth.SignedBytes());
  core::Result<SignedTreeHead> parsed = SignedTreeHead::Parse(AsBytes(bytes));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, sth);
  EXPECT_THAT(OpenSignedTreeHead(AsBytes(bytes), key_.PublicKey()), IsOkAndHolds(head_));
}

// Every byte is covered: a change anywhere is refused by Parse (structure) or
// by Verify (signature or key id), never accepted.
TEST_F(TreeHeadTest, AnySingleFlippedByteFailsParsingOrVerification) {
  const std::string bytes = Signed().Serialize();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      core::Result<TreeHead> opened = OpenSignedTreeHead(AsBytes(bad), key_.PublicKey());
      ASSERT_THAT(opened, ::testing::AnyOf(StatusIs(StatusCode::kInvalidArgument),
                                           StatusIs(StatusCode::kDataLoss)))
          << "byte " << i << " mask " << int{mask};
    }
  }
}

TEST_F(TreeHeadTest, SignatureChangesAreDataLossAndKeyIdChangesAreInvalidArgument) {
  std::string bytes = Signed().Serialize();
  std::string bad_sig = bytes;
  bad_sig[SignedTreeHead::kSignatureOffset + 10] ^= 4;
  EXPECT_THAT(OpenSignedTreeHead(AsBytes(bad_sig), key_.PublicKey()),
              StatusIs(StatusCode::kDataLoss));
  std::string bad_root = bytes;
  bad_root[SignedTreeHead::kRootHashOffset] ^= 4;
  EXPECT_THAT(OpenSignedTreeHead(AsBytes(bad_root), key_.PublicKey()),
              StatusIs(StatusCode::kDataLoss));
  std::string bad_key_id = bytes;
  bad_key_id[SignedTreeHead::kKeyIdOffset] ^= 4;
  EXPECT_THAT(OpenSignedTreeHead(AsBytes(bad_key_id), key_.PublicKey()),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(TreeHeadTest, AnotherKeyIsRefusedEvenWithItsKeyIdWrittenIn) {
  const crypto::SigningKey other = crypto::SigningKey::Generate(random_);
  const std::string bytes = Signed().Serialize();
  EXPECT_THAT(OpenSignedTreeHead(AsBytes(bytes), other.PublicKey()),
              StatusIs(StatusCode::kInvalidArgument));
  // An attacker who rewrites the key id to the verifier's key still lacks
  // a signature by it.
  std::string forged = bytes;
  const KeyId other_id = KeyIdOf(other.PublicKey());
  forged.replace(SignedTreeHead::kKeyIdOffset, other_id.size(),
                 std::string(other_id.begin(), other_id.end()));
  EXPECT_THAT(OpenSignedTreeHead(AsBytes(forged), other.PublicKey()),
              StatusIs(StatusCode::kDataLoss));
}

TEST_F(TreeHeadTest, ParseRefusesEveryOtherLength) {
  const std::string bytes = Signed().Serialize();
  for (size_t size = 0; size < bytes.size(); ++size) {
    ASSERT_THAT(SignedTreeHead::Parse(AsBytes(bytes.substr(0, size))),
                StatusIs(StatusCode::kInvalidArgument))
        << size;
  }
  EXPECT_THAT(SignedTreeHead::Parse(AsBytes(bytes + '\0')), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(TreeHeadTest, ParseRefusesOtherVersionsAndAlgorithms) {
  const std::string bytes = Signed().Serialize();
  for (size_t offset : {SignedTreeHead::kVersionOffset, SignedTreeHead::kHashAlgorithmOffset,
                        SignedTreeHead::kSignatureAlgorithmOffset}) {
    for (int value : {0, 2, 255}) {
      std::string bad = bytes;
      bad[offset] = static_cast<char>(value);
      EXPECT_THAT(SignedTreeHead::Parse(AsBytes(bad)), StatusIs(StatusCode::kInvalidArgument))
          << offset << " = " << value;
    }
  }
}

TEST_F(TreeHeadTest, ValidateRefusesOutOfRangeFieldsAndAForeignEmptyRoot) {
  EXPECT_THAT(head_.Validate(), IsOk());
  TreeHead big = head_;
  big.tree_size = kMaxTreeSize + 1;
  EXPECT_THAT(big.Sign(key_), StatusIs(StatusCode::kInvalidArgument));
  TreeHead late = head_;
  late.timestamp_ms = uint64_t{1} << 63;
  EXPECT_THAT(late.Sign(key_), StatusIs(StatusCode::kInvalidArgument));
  TreeHead empty = head_;
  empty.tree_size = 0;
  EXPECT_THAT(empty.Validate(), StatusIs(StatusCode::kInvalidArgument));
  empty.root_hash = internal::EmptyRoot();
  EXPECT_THAT(empty.Sign(key_), IsOk());
}

// The worked example in FORMAT.md, computed there with Python's hashlib and
// `cryptography` (RFC 8032 test key 1, the vectors' 8-leaf root).
TEST(TreeHeadFormatTest, SerializeMatchesTheWorkedExampleInFormatMd) {
  const crypto::SigningKey key = *crypto::SigningKey::Import(lt::kFuzzSigningKeySeed);
  TreeHead head;
  for (int i = 0; i < 16; ++i) head.log_id[i] = static_cast<uint8_t>(0xa0 + i);
  head.tree_size = 8;
  head.root_hash = HashFromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  head.timestamp_ms = 1764000000000;
  const std::string bytes = head.Sign(key)->Serialize();
  EXPECT_EQ(Hex(bytes),
            "6d616d6f72695448010101a0a1a2a3a4"
            "a5a6a7a8a9aaabacadaeaf21fe31dfa1"
            "54a261626bf854046fd2271b7bed4b6a"
            "be45aa58877ef47f9721b90000000000"
            "0000080000019ab697e8005dc9da79a7"
            "0659a9ad559cb701ded9a2ab9d823aad"
            "2f4960cfe370eff460432825fc2d736f"
            "64ff30228fafcf5929e3c968f59f0f39"
            "7cc38ceb053a9f3da9f41711b21ceac0"
            "60e6694f9f0568ce6716498ebe9c0011"
            "e915b4c7d8748252cfdd07");
  EXPECT_EQ(HashToHex(KeyIdOf(key.PublicKey())),
            "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9");
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// An outside auditor needs nothing from mamori: the signature is plain
// Ed25519 over the first 107 bytes, which `openssl pkeyutl` checks.
TEST_F(TreeHeadTest, HeadVerifiesWithOpensslPkeyutl) {
  const std::string dir = core::testing::MakeTempDir();
  const std::string bytes = Signed().Serialize();
  WriteFile(dir + "/pub.pem", key_.PublicKey().ToPem());
  WriteFile(dir + "/signed.bin", std::string_view(bytes).substr(0, SignedTreeHead::kSignedSize));
  WriteFile(dir + "/sig.bin", std::string_view(bytes).substr(SignedTreeHead::kSignatureOffset));
  const std::string command = "openssl pkeyutl -verify -rawin -pubin -inkey " + dir +
                              "/pub.pem -in " + dir + "/signed.bin -sigfile " + dir +
                              "/sig.bin 2>&1";
  int rc = -1;
  std::string out = core::testing::RunCommandOutput(command, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("Signature Verified Successfully"));

  std::string changed = bytes.substr(0, SignedTreeHead::kSignedSize);
  changed[SignedTreeHead::kTreeSizeOffset + 7] ^= 1;  // claim one more or one fewer leaf
  WriteFile(dir + "/signed.bin", changed);
  core::testing::RunCommandOutput(command, &rc);
  EXPECT_NE(rc, 0) << "openssl accepted a changed tree head";
}

// The fuzz corpus seeds stay meaningful: the valid ones open under the fuzz
// key, every other one is refused.
TEST(TreeHeadFuzzCorpusTest, SeedsOpenUnderTheFuzzKeyOnlyWhenValid) {
  const crypto::VerifyingKey pub = crypto::SigningKey::Import(lt::kFuzzSigningKeySeed)->PublicKey();
  int valid = 0;
  for (const lt::FuzzSeed& seed : lt::TreeHeadSeeds()) {
    core::Result<TreeHead> head = OpenSignedTreeHead(AsBytes(seed.bytes), pub);
    const bool want = seed.name.starts_with("valid-");
    EXPECT_EQ(head.ok(), want) << seed.name << ": " << head.status().ToString();
    valid += head.ok();
  }
  EXPECT_EQ(valid, 2);
  EXPECT_THAT(OpenSignedTreeHead(AsBytes(lt::TreeHeadSeeds()[0].bytes), pub),
              IsOkAndHolds(lt::FuzzSeedTreeHead()));
}

}  // namespace
}  // namespace mamori::ledger

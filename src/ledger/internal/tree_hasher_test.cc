// SPDX-License-Identifier: Apache-2.0
#include "ledger/internal/tree_hasher.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "crypto/hash.h"
#include "crypto/secure_bytes.h"
#include "ledger/hash.h"

namespace mamori::ledger::internal {
namespace {

using core::StatusCode;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using crypto::AsBytes;

std::vector<uint8_t> Concat(uint8_t prefix, std::span<const uint8_t> a,
                            std::span<const uint8_t> b = {}) {
  std::vector<uint8_t> out = {prefix};
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST(TreeHasherTest, PrefixesAreRfc9162DomainSeparators) {
  EXPECT_EQ(kLeafHashPrefix, 0x00);
  EXPECT_EQ(kNodeHashPrefix, 0x01);
}

TEST(TreeHasherTest, EmptyRootIsSha256OfTheEmptyString) {
  EXPECT_EQ(HashToHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// RFC 6962 test leaf 0 is the empty string: 6e340b9c... is SHA-256(0x00).
TEST(TreeHasherTest, EmptyLeafHashesTheLeafPrefixAlone) {
  EXPECT_EQ(HashToHex(HashLeaf({})),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(TreeHasherTest, LeafHashIsSha256OfPrefixAndLeafForShortAndLongLeaves) {
  for (size_t size : {1u, 31u, 511u, 512u, 513u, 4096u}) {
    std::string leaf(size, 'x');
    EXPECT_EQ(HashLeaf(AsBytes(leaf)), crypto::Sha256(Concat(0x00, AsBytes(leaf)))) << size;
  }
}

TEST(TreeHasherTest, ChildrenHashIsSha256OfPrefixLeftAndRight) {
  const Hash left = HashLeaf(AsBytes("left"));
  const Hash right = HashLeaf(AsBytes("right"));
  EXPECT_EQ(HashChildren(left, right), crypto::Sha256(Concat(0x01, left, right)));
  EXPECT_NE(HashChildren(left, right), HashChildren(right, left));
}

// The reason for the prefixes: a 64-byte leaf equal to two child hashes must
// not hash like their parent node (second-preimage resistance).
TEST(TreeHasherTest, LeafThatLooksLikeTwoChildrenDoesNotCollideWithTheirParent) {
  const Hash left = HashLeaf(AsBytes("a"));
  const Hash right = HashLeaf(AsBytes("b"));
  std::vector<uint8_t> forged(left.begin(), left.end());
  forged.insert(forged.end(), right.begin(), right.end());
  EXPECT_NE(HashLeaf(forged), HashChildren(left, right));
}

TEST(TreeHasherTest, PublicHashLeafIsTheInternalOne) {
  EXPECT_EQ(ledger::HashLeaf(AsBytes("x")), HashLeaf(AsBytes("x")));
}

TEST(TreeHasherTest, ParseHashAcceptsOnly32Bytes) {
  Hash sevens;
  sevens.fill(7);
  EXPECT_THAT(ParseHash(std::vector<uint8_t>(32, 7)), IsOkAndHolds(sevens));
  for (size_t size : {0u, 1u, 31u, 33u, 64u}) {
    EXPECT_THAT(ParseHash(std::vector<uint8_t>(size)), StatusIs(StatusCode::kInvalidArgument))
        << size;
  }
}

}  // namespace
}  // namespace mamori::ledger::internal

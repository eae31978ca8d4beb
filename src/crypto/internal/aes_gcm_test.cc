// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/aes_gcm.h"

#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "crypto/internal/test_vectors.h"

namespace mamori::crypto::internal {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using ::testing::ElementsAreArray;

struct GcmCase {
  int64_t tc_id;
  std::string result;
  std::vector<uint8_t> key, iv, aad, msg, ct_and_tag;
};

// The keySize == 256 groups of Wycheproof aes_gcm_test.json.
std::vector<GcmCase> LoadAes256Cases() {
  boost::json::value root = test_vectors::Load("wycheproof/aes_gcm_test.json");
  std::vector<GcmCase> cases;
  for (const test_vectors::WycheproofCase& c : test_vectors::WycheproofCases(root)) {
    if (test_vectors::Int(*c.group, "keySize") != 256) continue;
    GcmCase g{c.tc_id,
              c.result,
              test_vectors::Hex(*c.test, "key"),
              test_vectors::Hex(*c.test, "iv"),
              test_vectors::Hex(*c.test, "aad"),
              test_vectors::Hex(*c.test, "msg"),
              test_vectors::Hex(*c.test, "ct")};
    std::vector<uint8_t> tag = test_vectors::Hex(*c.test, "tag");
    g.ct_and_tag.insert(g.ct_and_tag.end(), tag.begin(), tag.end());
    cases.push_back(std::move(g));
  }
  return cases;
}

// Every keySize == 256 case: 105 tests, 66 of them with a 96-bit IV. All IV
// sizes are run except 2056 bits (257 bytes; 1 valid test): OpenSSL 3.0 holds
// at most 128 IV bytes, so that case must be refused with kInvalidArgument,
// which is checked instead. mamori itself only uses 96-bit nonces.
TEST(Aes256GcmTest, MatchesWycheproofForEveryKeySize256Case) {
  int run = 0, valid = 0, invalid = 0, iv96 = 0, long_iv = 0;
  for (const GcmCase& c : LoadAes256Cases()) {
    ++run;
    if (c.iv.size() == 12) ++iv96;
    if (c.iv.size() > kGcmMaxIvSize) {
      ++long_iv;
      EXPECT_THAT(Aes256GcmEncrypt(c.key, c.iv, c.aad, c.msg),
                  StatusIs(StatusCode::kInvalidArgument));
      continue;
    }
    auto decrypted = Aes256GcmDecrypt(c.key, c.iv, c.aad, c.ct_and_tag);
    if (c.result == "valid") {
      ++valid;
      EXPECT_THAT(Aes256GcmEncrypt(c.key, c.iv, c.aad, c.msg),
                  IsOkAndHolds(ElementsAreArray(c.ct_and_tag)))
          << "tcId " << c.tc_id;
      ASSERT_THAT(decrypted, IsOk()) << "tcId " << c.tc_id;
      EXPECT_THAT(*decrypted, ElementsAreArray(c.msg)) << "tcId " << c.tc_id;
    } else {
      ++invalid;
      // Flipped tag bits are integrity failures; a zero-length IV is refused
      // before any decryption.
      StatusCode expected = c.iv.empty() ? StatusCode::kInvalidArgument : StatusCode::kDataLoss;
      EXPECT_THAT(decrypted, StatusIs(expected)) << "tcId " << c.tc_id;
    }
  }
  EXPECT_EQ(run, 105);
  EXPECT_EQ(iv96, 66);
  EXPECT_EQ(long_iv, 1);
  EXPECT_EQ(valid, 75);
  EXPECT_EQ(invalid, 29);
}

TEST(Aes256GcmTest, EncryptRefusesAnEmptyIv) {
  std::vector<uint8_t> key(32, 1);
  EXPECT_THAT(Aes256GcmEncrypt(key, {}, {}, {}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(Aes256GcmTest, DecryptRefusesInputShorterThanTheTag) {
  std::vector<uint8_t> key(32, 1), iv(12, 2), short_input(15, 0);
  EXPECT_THAT(Aes256GcmDecrypt(key, iv, {}, short_input), StatusIs(StatusCode::kDataLoss));
}

TEST(Aes256GcmTest, SeveralAadPiecesEqualTheirConcatenation) {
  std::vector<uint8_t> key(32, 1), iv(12, 2), msg = {1, 2, 3};
  std::vector<uint8_t> joined = {'h', 'e', 'a', 'd', 't', 'a', 'i', 'l'};
  auto one = Aes256GcmEncrypt(key, iv, joined, msg);
  ASSERT_THAT(one, IsOk());
  std::array<ByteSpan, 2> pieces = {AsBytes("head"), AsBytes("tail")};
  EXPECT_THAT(Aes256GcmDecryptPieces(key, iv, pieces, *one), IsOkAndHolds(ElementsAreArray(msg)));
}

TEST(Aes256GcmDeathTest, AKeyThatIsNot32BytesAborts) {
  std::vector<uint8_t> key(31, 1), iv(12, 2);
  EXPECT_DEATH((void)Aes256GcmEncrypt(key, iv, {}, {}), "kAes256KeySize");
}

TEST(Aes256GcmDeathTest, AnOutputBufferOfTheWrongSizeAborts) {
  std::vector<uint8_t> key(32, 1), iv(12, 2), msg(5, 3), out(5 + kGcmTagSize - 1);
  std::array<ByteSpan, 1> aad = {ByteSpan()};
  EXPECT_DEATH((void)Aes256GcmEncryptInto(key, iv, aad, msg, out), "kGcmTagSize");
}

}  // namespace
}  // namespace mamori::crypto::internal

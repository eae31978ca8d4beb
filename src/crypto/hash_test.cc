// SPDX-License-Identifier: Apache-2.0
#include "crypto/hash.h"

#include <array>
#include <concepts>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "crypto/internal/test_vectors.h"

namespace mamori::crypto {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::ElementsAreArray;

static_assert(!std::is_copy_constructible_v<HmacKey>);
static_assert(!std::equality_comparable<HmacKey>);

std::vector<uint8_t> Bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

HmacKey ImportKey(std::span<const uint8_t> bytes) {
  auto key = HmacKey::Import(bytes);
  EXPECT_THAT(key, IsOk());
  return std::move(key).value();
}

// ---- SHA-256 (FIPS 180-2 appendix B, typed) --------------------------------

constexpr std::array<uint8_t, 32> kSha256Abc = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
constexpr std::array<uint8_t, 32> kSha256Empty = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
constexpr std::array<uint8_t, 32> kSha256TwoBlocks = {
    0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e, 0x60, 0x39,
    0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1};
constexpr std::string_view kTwoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256Test, MatchesFips180KnownAnswers) {
  EXPECT_EQ(Sha256(AsBytes("abc")), kSha256Abc);
  EXPECT_EQ(Sha256({}), kSha256Empty);
  EXPECT_EQ(Sha256(AsBytes(kTwoBlocks)), kSha256TwoBlocks);
}

TEST(Sha256Test, HasherGivesTheOneShotDigestAtEverySplitPoint) {
  for (size_t split = 0; split <= kTwoBlocks.size(); ++split) {
    Sha256Hasher hasher;
    hasher.Update(AsBytes(kTwoBlocks.substr(0, split)));
    hasher.Update(AsBytes(kTwoBlocks.substr(split)));
    EXPECT_EQ(hasher.Finish(), kSha256TwoBlocks) << "split at " << split;
  }
}

TEST(Sha256Test, HasherOfNothingIsTheEmptyDigest) {
  Sha256Hasher hasher;
  EXPECT_EQ(hasher.Finish(), kSha256Empty);
}

TEST(Sha256DeathTest, UpdateAfterFinishAborts) {
  Sha256Hasher hasher;
  (void)hasher.Finish();
  EXPECT_DEATH(hasher.Update(AsBytes("more")), "finished_");
}

TEST(Sha256DeathTest, SecondFinishAborts) {
  Sha256Hasher hasher;
  (void)hasher.Finish();
  EXPECT_DEATH((void)hasher.Finish(), "finished_");
}

// ---- HMAC-SHA-256 ----------------------------------------------------------

// RFC 4231 test case 2, typed: key "Jefe", a key shorter than the output.
TEST(HmacSha256Test, MatchesRfc4231CaseTwoTyped) {
  constexpr std::array<uint8_t, 32> kExpected = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e,
                                                 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
                                                 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83,
                                                 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
  HmacKey key = ImportKey(AsBytes("Jefe"));
  EXPECT_EQ(HmacSha256(key, AsBytes("what do ya want for nothing?")), kExpected);
}

TEST(HmacSha256Test, MatchesAllRfc4231Vectors) {
  boost::json::value root = test_vectors::Load("rfc/hmac_sha256_rfc4231.json");
  int run = 0;
  for (const auto& value : root.at("test_cases").as_array()) {
    const boost::json::object& c = value.as_object();
    HmacKey key = ImportKey(test_vectors::Hex(c, "key"));
    std::vector<uint8_t> data = test_vectors::Hex(c, "data");
    std::vector<uint8_t> expected = test_vectors::Hex(c, "hmac_sha256");
    HmacSha256Tag tag = HmacSha256(key, data);
    // Case 5 gives only the leftmost 128 bits (RFC 4231 section 4.6).
    EXPECT_THAT(std::span<const uint8_t>(tag).first(expected.size()), ElementsAreArray(expected))
        << "test case " << c.at("test_case").as_int64();
    EXPECT_TRUE(VerifyHmacSha256(key, data, expected));
    ++run;
  }
  EXPECT_EQ(run, 7);
}

TEST(HmacSha256Test, MatchesWycheproofIncludingTruncatedTags) {
  boost::json::value root = test_vectors::Load("wycheproof/hmac_sha256_test.json");
  int run = 0, valid = 0, truncated = 0;
  for (const test_vectors::WycheproofCase& c : test_vectors::WycheproofCases(root)) {
    HmacKey key = ImportKey(test_vectors::Hex(*c.test, "key"));
    std::vector<uint8_t> msg = test_vectors::Hex(*c.test, "msg");
    std::vector<uint8_t> tag = test_vectors::Hex(*c.test, "tag");
    size_t tag_size = static_cast<size_t>(test_vectors::Int(*c.group, "tagSize")) / 8;
    ASSERT_EQ(tag.size(), tag_size) << "tcId " << c.tc_id;
    bool verified = VerifyHmacSha256(key, msg, tag);
    if (c.result == "valid") {
      HmacSha256Tag full = HmacSha256(key, msg);
      EXPECT_THAT(std::span<const uint8_t>(full).first(tag_size), ElementsAreArray(tag))
          << "tcId " << c.tc_id;
      EXPECT_TRUE(verified) << "tcId " << c.tc_id;
      ++valid;
    } else {
      EXPECT_FALSE(verified) << "tcId " << c.tc_id << " " << c.test->at("comment");
    }
    if (tag_size == 16) ++truncated;
    ++run;
  }
  EXPECT_EQ(run, 174);
  EXPECT_EQ(valid, 66);
  EXPECT_EQ(truncated, 87);
}

TEST(HmacSha256Test, VerifyRejectsEveryFlippedTagBit) {
  HmacKey key = ImportKey(AsBytes("0123456789abcdef0123456789abcdef"));
  HmacSha256Tag tag = HmacSha256(key, AsBytes("message"));
  for (size_t bit = 0; bit < tag.size() * 8; ++bit) {
    HmacSha256Tag bad = tag;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(VerifyHmacSha256(key, AsBytes("message"), bad)) << "bit " << bit;
  }
}

TEST(HmacSha256Test, VerifyRejectsTruncationBelowSixteenBytes) {
  HmacKey key = ImportKey(AsBytes("k"));
  HmacSha256Tag tag = HmacSha256(key, AsBytes("m"));
  std::span<const uint8_t> full(tag);
  EXPECT_TRUE(VerifyHmacSha256(key, AsBytes("m"), full.first(16)));
  EXPECT_FALSE(VerifyHmacSha256(key, AsBytes("m"), full.first(15)));
  EXPECT_FALSE(VerifyHmacSha256(key, AsBytes("m"), full.first(1)));
  EXPECT_FALSE(VerifyHmacSha256(key, AsBytes("m"), {}));
}

TEST(HmacSha256Test, VerifyRejectsTagLongerThanTheHash) {
  HmacKey key = ImportKey(AsBytes("k"));
  HmacSha256Tag tag = HmacSha256(key, AsBytes("m"));
  std::vector<uint8_t> longer(tag.begin(), tag.end());
  longer.push_back(0);
  EXPECT_FALSE(VerifyHmacSha256(key, AsBytes("m"), longer));
}

TEST(HmacSha256Test, VerifyRejectsTagFromAnotherKey) {
  core::DeterministicRandom random(1);
  HmacKey a = HmacKey::Generate(random);
  HmacKey b = HmacKey::Generate(random);
  EXPECT_FALSE(VerifyHmacSha256(b, AsBytes("m"), HmacSha256(a, AsBytes("m"))));
}

TEST(HmacKeyTest, ImportRejectsAnEmptyKey) {
  EXPECT_THAT(HmacKey::Import({}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(HmacKeyTest, GenerateDrawsThirtyTwoBytesFromTheRandomSource) {
  core::DeterministicRandom first(7), again(7), other(8);
  HmacKey a = HmacKey::Generate(first);
  HmacKey b = HmacKey::Generate(again);
  HmacKey c = HmacKey::Generate(other);
  EXPECT_EQ(a.ExportKeyBytes().size(), HmacKey::kGeneratedSize);
  EXPECT_THAT(Bytes(a.ExportKeyBytes()), ElementsAreArray(Bytes(b.ExportKeyBytes())));
  EXPECT_FALSE(ConstantTimeEquals(a.ExportKeyBytes(), c.ExportKeyBytes()));
}

TEST(HmacKeyTest, CloneComputesTheSameTags) {
  core::DeterministicRandom random(3);
  HmacKey key = HmacKey::Generate(random);
  HmacKey copy = key.Clone();
  EXPECT_EQ(HmacSha256(key, AsBytes("x")), HmacSha256(copy, AsBytes("x")));
}

TEST(HmacKeyDeathTest, UsingAMovedFromKeyAborts) {
  core::DeterministicRandom random(3);
  HmacKey key = HmacKey::Generate(random);
  HmacKey taken = std::move(key);
  EXPECT_DEATH((void)HmacSha256(key, AsBytes("x")), "bytes_");  // NOLINT(bugprone-use-after-move)
}

// ---- HKDF-SHA-256 ----------------------------------------------------------

// RFC 5869 A.1, typed.
TEST(HkdfSha256Test, MatchesRfc5869CaseOneTyped) {
  const std::vector<uint8_t> ikm(22, 0x0b);
  constexpr std::array<uint8_t, 13> kSalt = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                             0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};
  constexpr std::array<uint8_t, 10> kInfo = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4,
                                             0xf5, 0xf6, 0xf7, 0xf8, 0xf9};
  constexpr std::array<uint8_t, 42> kOkm = {
      0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f, 0x64, 0xd0, 0x36,
      0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a, 0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56,
      0xec, 0xc4, 0xc5, 0xbf, 0x34, 0x00, 0x72, 0x08, 0xd5, 0xb8, 0x87, 0x18, 0x58, 0x65};
  auto okm = HkdfSha256(ikm, kSalt, kInfo, kOkm.size());
  ASSERT_THAT(okm, IsOk());
  EXPECT_THAT(*okm, ElementsAreArray(kOkm));
}

TEST(HkdfSha256Test, MatchesRfc5869Sha256Vectors) {
  boost::json::value root = test_vectors::Load("rfc/hkdf_rfc5869.json");
  int run = 0;
  for (const auto& value : root.at("test_cases").as_array()) {
    const boost::json::object& c = value.as_object();
    if (c.at("hash").as_string() != "SHA-256") continue;  // A.4-A.7 are SHA-1
    std::vector<uint8_t> salt;
    if (!c.at("salt").is_null()) salt = test_vectors::Hex(c, "salt");
    auto okm = HkdfSha256(test_vectors::Hex(c, "ikm"), salt, test_vectors::Hex(c, "info"),
                          static_cast<size_t>(c.at("L").as_int64()));
    ASSERT_THAT(okm, IsOk());
    EXPECT_THAT(*okm, ElementsAreArray(test_vectors::Hex(c, "okm"))) << c.at("name");
    ++run;
  }
  EXPECT_EQ(run, 3);
}

TEST(HkdfSha256Test, MatchesWycheproofAndRefusesOverlongOutput) {
  boost::json::value root = test_vectors::Load("wycheproof/hkdf_sha256_test.json");
  int valid = 0, invalid = 0;
  for (const test_vectors::WycheproofCase& c : test_vectors::WycheproofCases(root)) {
    size_t size = static_cast<size_t>(test_vectors::Int(*c.test, "size"));
    auto okm = HkdfSha256(test_vectors::Hex(*c.test, "ikm"), test_vectors::Hex(*c.test, "salt"),
                          test_vectors::Hex(*c.test, "info"), size);
    if (c.result == "valid") {
      ASSERT_THAT(okm, IsOk()) << "tcId " << c.tc_id;
      EXPECT_THAT(*okm, ElementsAreArray(test_vectors::Hex(*c.test, "okm"))) << "tcId " << c.tc_id;
      ++valid;
    } else {
      EXPECT_EQ(size, 8161u) << "tcId " << c.tc_id;
      EXPECT_THAT(okm, StatusIs(StatusCode::kInvalidArgument)) << "tcId " << c.tc_id;
      ++invalid;
    }
  }
  EXPECT_EQ(valid, 83);
  EXPECT_EQ(invalid, 3);
}

TEST(HkdfSha256Test, GivesTheMaximumOf8160Bytes) {
  auto okm = HkdfSha256(AsBytes("ikm"), {}, AsBytes("info"), kMaxHkdfSha256Size);
  ASSERT_THAT(okm, IsOk());
  EXPECT_EQ(okm->size(), 8160u);
}

TEST(HkdfSha256Test, RefusesZeroLength) {
  EXPECT_THAT(HkdfSha256(AsBytes("ikm"), {}, {}, 0), StatusIs(StatusCode::kInvalidArgument));
}

TEST(HkdfSha256Test, RefusesEmptyInputKeyingMaterial) {
  EXPECT_THAT(HkdfSha256({}, AsBytes("salt"), {}, 32), StatusIs(StatusCode::kInvalidArgument));
}

TEST(HkdfSha256Test, DifferentInfoLabelsGiveUnrelatedKeys) {
  auto a = HkdfSha256(AsBytes("master"), {}, AsBytes("mamori/blind-index/v1"), 32);
  auto b = HkdfSha256(AsBytes("master"), {}, AsBytes("mamori/export/v1"), 32);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_FALSE(ConstantTimeEquals(a->span(), b->span()));
}

TEST(HkdfSha256Test, AcceptsLongInfo) {
  std::vector<uint8_t> info(4096, 0x42);
  EXPECT_THAT(HkdfSha256(AsBytes("ikm"), {}, info, 32), IsOk());
}

}  // namespace
}  // namespace mamori::crypto

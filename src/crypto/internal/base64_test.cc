// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/base64.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/secure_bytes.h"

namespace mamori::crypto::internal {
namespace {

using ::testing::Optional;

std::vector<uint8_t> Bytes(std::string_view text) {
  std::span<const uint8_t> span = AsBytes(text);
  return {span.begin(), span.end()};
}

// RFC 4648 section 10, with the padding removed.
TEST(Base64Test, EncodesTheRfc4648TestVectorsWithoutPadding) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64EncodeUnpadded(AsBytes(plain)), encoded);
    EXPECT_THAT(Base64DecodeUnpadded(encoded), Optional(Bytes(plain))) << encoded;
  }
}

TEST(Base64Test, UsesTheStandardAlphabetNotTheUrlSafeOne) {
  std::vector<uint8_t> bytes = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64EncodeUnpadded(bytes), "+/+/");
  EXPECT_EQ(Base64DecodeUnpadded("-_-_"), std::nullopt);
}

TEST(Base64Test, DecodesThePhcSaltOfTheReferenceVectors) {
  EXPECT_THAT(Base64DecodeUnpadded("c29tZXNhbHQ"), Optional(Bytes("somesalt")));
}

TEST(Base64Test, RejectsPaddingWhitespaceAndForeignCharacters) {
  for (const char* bad : {"Zg==", "Zm8=", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v!", "Zm9\xc3\xa4"}) {
    EXPECT_EQ(Base64DecodeUnpadded(bad), std::nullopt) << bad;
  }
}

TEST(Base64Test, RejectsLengthsOfFourKPlusOne) {
  EXPECT_EQ(Base64DecodeUnpadded("Z"), std::nullopt);
  EXPECT_EQ(Base64DecodeUnpadded("Zm9vY"), std::nullopt);
}

TEST(Base64Test, RejectsNonZeroLeftoverBits) {
  // "Zg" is "f"; "Zh" has the same 8 data bits and a stray low bit set.
  EXPECT_EQ(Base64DecodeUnpadded("Zh"), std::nullopt);
  EXPECT_EQ(Base64DecodeUnpadded("Zm9"), std::nullopt);  // "Zm8" is canonical
}

TEST(Base64Test, RoundTripsEveryLengthUpTo64Bytes) {
  std::vector<uint8_t> bytes;
  for (int n = 0; n <= 64; ++n) {
    EXPECT_THAT(Base64DecodeUnpadded(Base64EncodeUnpadded(bytes)), Optional(bytes)) << n;
    bytes.push_back(static_cast<uint8_t>(n * 37 + 11));
  }
}

}  // namespace
}  // namespace mamori::crypto::internal

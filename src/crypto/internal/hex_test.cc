// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/hex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mamori::crypto::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

TEST(HexTest, EncodesLowercase) {
  std::vector<uint8_t> bytes = {0x00, 0x0f, 0xa0, 0xff};
  EXPECT_EQ(HexEncode(bytes), "000fa0ff");
  EXPECT_EQ(HexEncode({}), "");
}

TEST(HexTest, DecodesBothCases) {
  EXPECT_THAT(HexDecode("000FA0ff"), Optional(ElementsAre(0x00, 0x0f, 0xa0, 0xff)));
  EXPECT_THAT(HexDecode(""), Optional(ElementsAre()));
}

TEST(HexTest, RejectsOddLengthAndNonHexCharacters) {
  EXPECT_EQ(HexDecode("abc"), std::nullopt);
  EXPECT_EQ(HexDecode("zz"), std::nullopt);
  EXPECT_EQ(HexDecode("0x"), std::nullopt);
  EXPECT_EQ(HexDecode(" 0"), std::nullopt);
}

}  // namespace
}  // namespace mamori::crypto::internal

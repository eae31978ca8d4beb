// SPDX-License-Identifier: Apache-2.0
#include "core/form_decode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mamori::core {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(FormDecodeTest, DecodesPercentEscapesAndPlus) {
  EXPECT_EQ(FormDecode("urn%3Aoid%3A1%7C42"), "urn:oid:1|42");
  EXPECT_EQ(FormDecode("a+b%20c"), "a b c");
  EXPECT_EQ(FormDecode("%E5%B1%B1%E7%94%B0"), "山田");
}

TEST(FormDecodeTest, LeavesABrokenEscapeAsItIs) {
  EXPECT_EQ(FormDecode("100%"), "100%");
  EXPECT_EQ(FormDecode("%zz%4"), "%zz%4");
}

TEST(FormDecodeTest, SplitsPairsAndSkipsEmptyParts) {
  EXPECT_THAT(SplitFormQuery("a=1&&b=x%3Dy&c"),
              ElementsAre(Pair("a", "1"), Pair("b", "x=y"), Pair("c", "")));
  EXPECT_TRUE(SplitFormQuery("").empty());
}

TEST(FormDecodeTest, FormEncodeRoundTripsThroughFormDecode) {
  EXPECT_EQ(FormEncode("urn:oid:1|42 &x=y"), "urn:oid:1%7C42%20%26x%3Dy");
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  EXPECT_EQ(FormDecode(FormEncode(every_byte)), every_byte);
}

}  // namespace
}  // namespace mamori::core

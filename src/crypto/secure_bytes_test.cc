// SPDX-License-Identifier: Apache-2.0
#include "crypto/secure_bytes.h"

#include <concepts>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mamori::crypto {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

template <typename T>
concept Streamable = requires(std::ostream& os, const T& t) {
  os << t;
};

// Secrets are never compared with == (timing) or printed (logs), and never
// copied implicitly (STYLE.md rule 20).
static_assert(!std::equality_comparable<SecureBytes>);
static_assert(!Streamable<SecureBytes>);
static_assert(!std::is_copy_constructible_v<SecureBytes>);
static_assert(!std::is_copy_assignable_v<SecureBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecureBytes>);

TEST(SecureBytesTest, SizedConstructorGivesZeroBytes) {
  SecureBytes bytes(4);
  EXPECT_EQ(bytes.size(), 4u);
  EXPECT_THAT(bytes, ElementsAre(0, 0, 0, 0));
}

TEST(SecureBytesTest, DefaultIsEmpty) {
  SecureBytes bytes;
  EXPECT_TRUE(bytes.empty());
  EXPECT_EQ(bytes.span().size(), 0u);
}

TEST(SecureBytesTest, SpanConstructorCopiesTheBytes) {
  std::vector<uint8_t> source = {1, 2, 3};
  SecureBytes bytes(source);
  source[0] = 9;
  EXPECT_THAT(bytes, ElementsAre(1, 2, 3));
}

TEST(SecureBytesTest, MoveLeavesTheSourceEmpty) {
  SecureBytes source(std::vector<uint8_t>{1, 2, 3});
  const uint8_t* block = source.data();
  SecureBytes target(std::move(source));
  EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(source.data(), nullptr);
  EXPECT_EQ(target.data(), block);  // the one heap block moved; no copy was left behind
  EXPECT_THAT(target, ElementsAre(1, 2, 3));
}

TEST(SecureBytesTest, MoveAssignmentReplacesTheOldContents) {
  SecureBytes target(std::vector<uint8_t>{7, 7});
  SecureBytes source(std::vector<uint8_t>{1, 2, 3});
  target = std::move(source);
  EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_THAT(target, ElementsAre(1, 2, 3));
}

TEST(SecureBytesTest, CloneIsAnIndependentCopy) {
  SecureBytes original(std::vector<uint8_t>{1, 2});
  SecureBytes copy = original.Clone();
  copy.mutable_span()[0] = 5;
  EXPECT_THAT(original, ElementsAre(1, 2));
  EXPECT_THAT(copy, ElementsAre(5, 2));
}

TEST(SecureBytesTest, ClearLeavesItEmpty) {
  SecureBytes bytes(std::vector<uint8_t>{1, 2, 3});
  bytes.Clear();
  EXPECT_TRUE(bytes.empty());
  EXPECT_EQ(bytes.data(), nullptr);
}

TEST(SecureBytesTest, GoogleTestPrintsOnlyTheSize) {
  SecureBytes bytes(AsBytes("canary-secret"));
  std::string printed = ::testing::PrintToString(bytes);
  EXPECT_EQ(printed, "SecureBytes(13 bytes)");
  EXPECT_THAT(printed, Not(HasSubstr("canary")));
}

TEST(SecureBytesTest, AsStringViewBorrowsTheBytes) {
  SecureBytes bytes(AsBytes("hello"));
  EXPECT_EQ(AsStringView(bytes), "hello");
  EXPECT_EQ(AsStringView(AsBytes("abc")), "abc");
}

TEST(ConstantTimeEqualsTest, EqualBytesAreEqual) {
  EXPECT_TRUE(ConstantTimeEquals(AsBytes("same tag"), AsBytes("same tag")));
}

TEST(ConstantTimeEqualsTest, EmptyEqualsEmpty) { EXPECT_TRUE(ConstantTimeEquals({}, {})); }

TEST(ConstantTimeEqualsTest, APrefixIsNotEqual) {
  EXPECT_FALSE(ConstantTimeEquals(AsBytes("tag"), AsBytes("tag1")));
  EXPECT_FALSE(ConstantTimeEquals(AsBytes("tag1"), AsBytes("tag")));
  EXPECT_FALSE(ConstantTimeEquals(AsBytes(""), AsBytes("t")));
}

TEST(ConstantTimeEqualsTest, OneFlippedBitAnywhereIsNotEqual) {
  std::vector<uint8_t> a(32, 0x5a);
  for (size_t bit = 0; bit < a.size() * 8; ++bit) {
    std::vector<uint8_t> b = a;
    b[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(ConstantTimeEquals(a, b)) << "bit " << bit;
  }
}

}  // namespace
}  // namespace mamori::crypto

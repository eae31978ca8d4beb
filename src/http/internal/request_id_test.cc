// SPDX-License-Identifier: Apache-2.0
#include "http/internal/request_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"

namespace mamori::http::internal {
namespace {

using ::testing::MatchesRegex;

TEST(RequestIdTest, IsThirtyTwoLowercaseHexDigitsFromTheRandomSource) {
  core::DeterministicRandom a(7), b(7);
  std::string id = NewRequestId(a);
  EXPECT_THAT(id, MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(id, NewRequestId(b));  // comes from core::Random only
  EXPECT_NE(id, NewRequestId(a));
}

TEST(RequestIdTest, ClientIdMustBeShortAlphanumericOrDash) {
  EXPECT_TRUE(IsWellFormedClientRequestId("abc-123-XYZ"));
  EXPECT_TRUE(IsWellFormedClientRequestId(std::string(64, 'a')));
  EXPECT_FALSE(IsWellFormedClientRequestId(""));
  EXPECT_FALSE(IsWellFormedClientRequestId(std::string(65, 'a')));
  EXPECT_FALSE(IsWellFormedClientRequestId("a b"));
  EXPECT_FALSE(IsWellFormedClientRequestId("a\r\nX: y"));
  EXPECT_FALSE(IsWellFormedClientRequestId("山田"));
}

}  // namespace
}  // namespace mamori::http::internal

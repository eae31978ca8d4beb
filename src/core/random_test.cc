// SPDX-License-Identifier: Apache-2.0
#include "core/random.h"

#include <set>

#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"

namespace mamori::core {
namespace {

TEST(RandomTest, SecureRandomGivesDistinctBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(Random::Secure().Bytes(16));
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomTest, UniformStaysBelowBound) {
  for (int i = 0; i < 1000; ++i) EXPECT_LT(Random::Secure().Uniform(7), 7u);
}

TEST(DeterministicRandomTest, SameSeedGivesSameStream) {
  DeterministicRandom a(42), b(42), c(43);
  std::string x = a.Bytes(100);
  EXPECT_EQ(x, b.Bytes(100));
  EXPECT_NE(x, c.Bytes(100));
}

TEST(DeterministicRandomTest, StreamDoesNotDependOnChunking) {
  DeterministicRandom a(7), b(7);
  std::string whole = a.Bytes(70);
  std::string parts = b.Bytes(33);
  parts += b.Bytes(37);
  EXPECT_EQ(whole, parts);
}

}  // namespace
}  // namespace mamori::core

// SPDX-License-Identifier: Apache-2.0
// Content-defined chunking: sizes within bounds, cuts that follow content
// (an insertion near the start leaves later chunks unchanged), and a keyed
// table (another seed, other cuts).
#include "backup/chunker.h"

#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace mamori::backup {
namespace {

std::vector<uint8_t> Data(size_t size, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> out(size);
  for (uint8_t& b : out) b = static_cast<uint8_t>(gen());
  return out;
}

std::vector<size_t> Cuts(const Chunker& c, std::span<const uint8_t> data) {
  std::vector<size_t> cuts;
  size_t at = 0;
  while (at < data.size()) {
    at += c.NextBoundary(data.subspan(at));
    cuts.push_back(at);
  }
  return cuts;
}

constexpr std::array<uint8_t, 32> kSeedA{1};
constexpr std::array<uint8_t, 32> kSeedB{2};

TEST(ChunkerTest, ChunksStayWithinBoundsAndAverageNearTheTarget) {
  Chunker chunker(kSeedA, {});
  std::vector<uint8_t> data = Data(8 << 20, 1);
  std::vector<size_t> cuts = Cuts(chunker, data);
  size_t previous = 0;
  for (size_t i = 0; i < cuts.size(); ++i) {
    size_t size = cuts[i] - previous;
    EXPECT_LE(size, chunker.params().max_size);
    if (i + 1 < cuts.size()) {
      EXPECT_GE(size, chunker.params().min_size);
    }
    previous = cuts[i];
  }
  double average = static_cast<double>(data.size()) / static_cast<double>(cuts.size());
  EXPECT_GT(average, 0.5 * static_cast<double>(chunker.params().avg_size));
  EXPECT_LT(average, 2.0 * static_cast<double>(chunker.params().avg_size));
}

TEST(ChunkerTest, AnInsertionNearTheStartLeavesLaterChunksUnchanged) {
  Chunker chunker(kSeedA, {});
  std::vector<uint8_t> data = Data(4 << 20, 2);
  std::vector<uint8_t> shifted = data;
  shifted.insert(shifted.begin() + 1000, {9, 9, 9, 9, 9, 9, 9});
  std::vector<size_t> a = Cuts(chunker, data), b = Cuts(chunker, shifted);
  std::set<size_t> a_set(a.begin(), a.end()), b_shifted;
  for (size_t cut : b) b_shifted.insert(cut - 7);
  size_t common = 0;
  for (size_t cut : a_set) common += b_shifted.contains(cut);
  EXPECT_GE(common, a.size() - 2);  // at most the first chunk or two differ
}

TEST(ChunkerTest, TheSeedChangesTheCuts) {
  std::vector<uint8_t> data = Data(2 << 20, 3);
  EXPECT_NE(Cuts(Chunker(kSeedA, {}), data), Cuts(Chunker(kSeedB, {}), data));
  EXPECT_EQ(Cuts(Chunker(kSeedA, {}), data), Cuts(Chunker(kSeedA, {}), data));
}

}  // namespace
}  // namespace mamori::backup

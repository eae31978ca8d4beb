// SPDX-License-Identifier: Apache-2.0
#pragma once

// DeterministicRandom: a seeded core::Random for tests (STYLE.md rule 14). It
// lives in the test-only library mamori::core_testing, so the mamori binary
// cannot link it. The stream is SHA-256 in counter mode over the seed: the
// same seed gives the same bytes on every machine.
//
//   core::DeterministicRandom random(testing::GTEST_FLAG(random_seed));
//   auto key = crypto::AeadKey::Generate(random);
//
// Thread-safety: Fill may be called from any thread.

#include <array>
#include <cstdint>
#include <mutex>

#include "core/check.h"
#include "core/random.h"

namespace mamori::core {

class DeterministicRandom final : public Random {
 public:
  explicit DeterministicRandom(uint64_t seed);
  void Fill(std::span<uint8_t> out) override;

 private:
  std::mutex mu_;
  uint64_t seed_;
  uint64_t counter_ MAMORI_GUARDED_BY(mu_) = 0;
  std::array<uint8_t, 32> block_ MAMORI_GUARDED_BY(mu_){};
  size_t used_ MAMORI_GUARDED_BY(mu_) = 32;
};

}  // namespace mamori::core

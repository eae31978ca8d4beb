// SPDX-License-Identifier: Apache-2.0
#include "core/testing/deterministic_random.h"

#include <cstring>

#include <openssl/sha.h>

namespace mamori::core {

DeterministicRandom::DeterministicRandom(uint64_t seed) : seed_(seed) {}

void DeterministicRandom::Fill(std::span<uint8_t> out) {
  std::lock_guard lock(mu_);
  for (uint8_t& byte : out) {
    if (used_ == block_.size()) {
      uint8_t input[16];
      std::memcpy(input, &seed_, 8);
      std::memcpy(input + 8, &counter_, 8);
      ++counter_;
      SHA256(input, sizeof input, block_.data());
      used_ = 0;
    }
    byte = block_[used_++];
  }
}

}  // namespace mamori::core

// SPDX-License-Identifier: Apache-2.0
#include "backup/chunker.h"

#include <bit>

#include "core/check.h"
#include "crypto/hash.h"

namespace mamori::backup {
namespace {

// A mask with `bits` one-bits spread over the high 48 bits of the hash
// (FastCDC's spread masks: the low bits of a gear hash mix poorly).
uint64_t SpreadMask(int bits) {
  uint64_t mask = 0;
  for (int i = 0; i < bits; ++i) mask |= uint64_t{1} << (63 - (i * 48 / bits));
  return mask;
}

}  // namespace

Chunker::Chunker(std::span<const uint8_t, 32> seed, ChunkerParams params) : params_(params) {
  MAMORI_CHECK(params.min_size > 0 && params.min_size < params.avg_size &&
               params.avg_size < params.max_size && std::has_single_bit(params.avg_size));
  // gear[i] = first 8 bytes of SHA-256(seed || i): a keyed, fixed table.
  for (int i = 0; i < 256; ++i) {
    std::array<uint8_t, 33> input;
    std::copy(seed.begin(), seed.end(), input.begin());
    input[32] = static_cast<uint8_t>(i);
    crypto::Sha256Digest d = crypto::Sha256(input);
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b) v = (v << 8) | d[b];
    gear_[i] = v;
  }
  int bits = std::countr_zero(params.avg_size);
  mask_small_ = SpreadMask(bits + 2);  // normalisation level 2
  mask_large_ = SpreadMask(bits - 2);
}

size_t Chunker::NextBoundary(std::span<const uint8_t> data) const {
  size_t n = data.size();
  if (n <= params_.min_size) return n;
  size_t end = std::min(n, params_.max_size);
  size_t normal = std::min(end, params_.avg_size);
  uint64_t hash = 0;
  size_t i = params_.min_size;
  for (; i < normal; ++i) {
    hash = (hash << 1) + gear_[data[i]];
    if ((hash & mask_small_) == 0) return i + 1;
  }
  for (; i < end; ++i) {
    hash = (hash << 1) + gear_[data[i]];
    if ((hash & mask_large_) == 0) return i + 1;
  }
  return end;
}

}  // namespace mamori::backup

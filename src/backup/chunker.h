// SPDX-License-Identifier: Apache-2.0
#pragma once

// backup::Chunker: content-defined chunking (FastCDC, Xia et al., USENIX ATC
// 2016), so that a change in the middle of the database file changes only the
// chunks around it and the next backup stores only those (issue 8: 1% of
// records changed -> at most 3% of the first backup's bytes written).
//
// A rolling "gear" hash over the bytes declares a boundary where its masked
// bits are zero; a stricter mask before the average size and a looser one
// after it (normalised chunking) keep sizes near the average. The gear table
// is derived from a secret seed, so chunk boundaries, and with them chunk
// sizes, do not reveal to a reader of the backup which known file it holds
// (the same reason restic keys its chunker polynomial).
//
//   backup::Chunker chunker(seed, {});
//   size_t n = chunker.NextBoundary(buffer);   // length of the next chunk
//
// Thread-safety: a Chunker is immutable; NextBoundary may run concurrently.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace mamori::backup {

// Smaller than restic's 1 MiB average: an update to 1% of the records
// touches B-tree pages all over the database file, and each touched chunk is
// stored again, so finer chunks keep an incremental backup small (issue 8:
// at most 3% of the first backup's bytes).
struct ChunkerParams {
  size_t min_size = 16 * 1024;
  size_t avg_size = 64 * 1024;  // a power of two
  size_t max_size = 256 * 1024;
};

class Chunker {
 public:
  // `seed`: 32 secret bytes from the backup key hierarchy.
  Chunker(std::span<const uint8_t, 32> seed, ChunkerParams params);

  // The length of the chunk that starts at data[0]: a content-defined cut
  // between min_size and max_size, or data.size() if the data ends first
  // (the caller passes at least max_size bytes unless at end of input).
  size_t NextBoundary(std::span<const uint8_t> data) const;

  const ChunkerParams& params() const { return params_; }

 private:
  std::array<uint64_t, 256> gear_;
  ChunkerParams params_;
  uint64_t mask_small_;  // stricter, before avg_size
  uint64_t mask_large_;  // looser, after avg_size
};

}  // namespace mamori::backup

// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the raw-bytes proof verifiers over untrusted sizes and hashes
// (proofs arrive over HTTP and in files). Input format (see
// testing/fuzz_seeds.h, which writes proof_corpus/seed-*):
//   byte 0: even = inclusion (a = leaf index, b = tree size, then leaf hash,
//           root, proof...), odd = consistency (a = size1, b = size2, then
//           root1, root2, proof...);
//   bytes 1..16: a and b, big-endian uint64;
//   then hashes, each one length byte followed by that many bytes.
// Invariants: no crash or undefined shift at any size; the only outcomes are
// OK, kInvalidArgument and kDataLoss; when every hash is 32 bytes the typed
// overload gives the same code as the raw one.

#include <algorithm>
#include <span>
#include <vector>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "ledger/proof.h"

namespace {

using mamori::core::StatusCode;
using mamori::ledger::ByteView;
using mamori::ledger::Hash;

uint64_t ReadUint64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

Hash ToHash(ByteView v) {
  Hash h{};
  std::copy(v.begin(), v.end(), h.begin());
  return h;
}

}  // namespace

MAMORI_FUZZ_TARGET(data, size) {
  if (size < 17) return;
  const bool inclusion = (data[0] & 1) == 0;
  const uint64_t a = ReadUint64(data + 1);
  const uint64_t b = ReadUint64(data + 9);
  std::vector<ByteView> hashes;
  size_t pos = 17;
  while (pos < size && hashes.size() < 200) {
    const size_t len = data[pos++];
    if (pos + len > size) break;
    hashes.emplace_back(data + pos, len);
    pos += len;
  }
  if (hashes.size() < 2) return;
  const std::span<const ByteView> proof = std::span<const ByteView>(hashes).subspan(2);
  const mamori::core::Status raw =
      inclusion ? mamori::ledger::VerifyInclusion(a, b, hashes[0], proof, hashes[1])
                : mamori::ledger::VerifyConsistency(a, b, proof, hashes[0], hashes[1]);
  MAMORI_CHECK(raw.ok() || raw.code() == StatusCode::kInvalidArgument ||
               raw.code() == StatusCode::kDataLoss);
  bool all32 = true;
  for (ByteView h : hashes) all32 = all32 && h.size() == mamori::ledger::kHashSize;
  if (!all32) return;
  std::vector<Hash> typed;
  for (ByteView h : proof) typed.push_back(ToHash(h));
  const mamori::core::Status same =
      inclusion
          ? mamori::ledger::VerifyInclusion(a, b, ToHash(hashes[0]), typed, ToHash(hashes[1]))
          : mamori::ledger::VerifyConsistency(a, b, typed, ToHash(hashes[0]), ToHash(hashes[1]));
  MAMORI_CHECK(same.code() == raw.code());
}

// SPDX-License-Identifier: Apache-2.0
#include "ledger/tree_head.h"

#include <algorithm>
#include <limits>

#include "crypto/hash.h"
#include "crypto/secure_bytes.h"
#include "ledger/internal/big_endian.h"
#include "ledger/internal/tree_hasher.h"

namespace mamori::ledger {
namespace {

constexpr uint64_t kMaxTimestampMs = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

template <size_t N>
std::array<uint8_t, N> Take(std::span<const uint8_t> bytes, size_t offset) {
  std::array<uint8_t, N> out;
  std::copy_n(bytes.begin() + offset, N, out.begin());
  return out;
}

std::string Encode(const TreeHead& head, const KeyId& key_id) {
  using S = SignedTreeHead;
  std::string out;
  out.reserve(S::kSize);
  internal::AppendBytes(out, S::kMagic);
  out += static_cast<char>(S::kVersion1);
  out += static_cast<char>(S::kHashAlgorithmSha256);
  out += static_cast<char>(S::kSignatureAlgorithmEd25519);
  internal::AppendBytes(out, head.log_id);
  internal::AppendBytes(out, key_id);
  internal::AppendUint64(out, head.tree_size);
  internal::AppendUint64(out, head.timestamp_ms);
  internal::AppendBytes(out, head.root_hash);
  return out;
}

}  // namespace

KeyId KeyIdOf(const crypto::VerifyingKey& key) { return crypto::Sha256(key.Raw()); }

core::Status TreeHead::Validate() const {
  if (tree_size > kMaxTreeSize) {
    return core::InvalidArgumentError("tree head: tree size " + std::to_string(tree_size) +
                                      " is above 2^63 - 1");
  }
  if (timestamp_ms > kMaxTimestampMs) {
    return core::InvalidArgumentError("tree head: timestamp is above 2^63 - 1 ms");
  }
  // A head of the empty tree that names another root would let two parties
  // hold different "empty" logs; RFC 9162 fixes the empty root.
  if (tree_size == 0 && root_hash != internal::EmptyRoot()) {
    return core::InvalidArgumentError("tree head: size 0 with a root other than the empty root");
  }
  return core::Status::Ok();
}

core::Result<SignedTreeHead> TreeHead::Sign(const crypto::SigningKey& key) const {
  MAMORI_RETURN_IF_ERROR(Validate());
  const KeyId key_id = KeyIdOf(key.PublicKey());
  const std::string message = Encode(*this, key_id);
  return SignedTreeHead(*this, key_id, key.Sign(crypto::AsBytes(message)));
}

core::Result<SignedTreeHead> SignedTreeHead::Parse(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) {
    return core::InvalidArgumentError("tree head: " + std::to_string(bytes.size()) +
                                      " bytes, version 1 has " + std::to_string(kSize));
  }
  if (!std::equal(kMagic.begin(), kMagic.end(), bytes.begin() + kMagicOffset)) {
    return core::InvalidArgumentError("tree head: bad magic");
  }
  if (bytes[kVersionOffset] != kVersion1) {
    return core::InvalidArgumentError("tree head: unknown version " +
                                      std::to_string(bytes[kVersionOffset]));
  }
  if (bytes[kHashAlgorithmOffset] != kHashAlgorithmSha256 ||
      bytes[kSignatureAlgorithmOffset] != kSignatureAlgorithmEd25519) {
    return core::InvalidArgumentError("tree head: unknown hash or signature algorithm");
  }
  TreeHead head;
  head.log_id = Take<16>(bytes, kLogIdOffset);
  head.tree_size = internal::ReadUint64(bytes.subspan(kTreeSizeOffset));
  head.timestamp_ms = internal::ReadUint64(bytes.subspan(kTimestampOffset));
  head.root_hash = Take<kHashSize>(bytes, kRootHashOffset);
  MAMORI_RETURN_IF_ERROR(head.Validate());
  return SignedTreeHead(head, Take<32>(bytes, kKeyIdOffset),
                        Take<crypto::kEd25519SignatureSize>(bytes, kSignatureOffset));
}

std::string SignedTreeHead::SignedBytes() const { return Encode(head_, key_id_); }

std::string SignedTreeHead::Serialize() const {
  std::string out = SignedBytes();
  internal::AppendBytes(out, signature_);
  return out;
}

core::Status SignedTreeHead::Verify(const crypto::VerifyingKey& key) const {
  if (KeyIdOf(key) != key_id_) {
    return core::InvalidArgumentError("tree head was signed by another key");
  }
  if (!key.Verify(crypto::AsBytes(SignedBytes()), signature_)) {
    return core::DataLossError("tree head signature does not verify");
  }
  return core::Status::Ok();
}

core::Result<TreeHead> OpenSignedTreeHead(std::span<const uint8_t> bytes,
                                          const crypto::VerifyingKey& key) {
  MAMORI_ASSIGN_OR_RETURN(SignedTreeHead sth, SignedTreeHead::Parse(bytes));
  MAMORI_RETURN_IF_ERROR(sth.Verify(key));
  return sth.head();
}

}  // namespace mamori::ledger

// SPDX-License-Identifier: Apache-2.0
#include "ledger/leaf.h"

#include <algorithm>
#include <limits>

#include "crypto/secure_bytes.h"
#include "ledger/internal/big_endian.h"

namespace mamori::ledger {
namespace {

constexpr uint64_t kMaxField = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

core::Status CheckFields(uint8_t version, const crypto::AeadKeyId& key_id, uint64_t sequence,
                         uint64_t timestamp_ms, std::span<const uint8_t> ciphertext) {
  if (version != Leaf::kVersion1) {
    return core::InvalidArgumentError("leaf: unknown version " + std::to_string(version));
  }
  if (sequence > kMaxField || timestamp_ms > kMaxField) {
    return core::InvalidArgumentError("leaf: sequence or timestamp above 2^63 - 1");
  }
  if (ciphertext.size() < crypto::Aead::kOverhead || ciphertext.size() > Leaf::kMaxCiphertextSize) {
    return core::InvalidArgumentError("leaf: ciphertext of " + std::to_string(ciphertext.size()) +
                                      " bytes is not a sealed event");
  }
  core::Result<crypto::AeadKeyId> envelope_key = crypto::Aead::EnvelopeKeyId(ciphertext);
  if (!envelope_key.ok()) return std::move(envelope_key).status().With("leaf ciphertext");
  if (*envelope_key != key_id) {
    return core::InvalidArgumentError("leaf: key id " + key_id.ToHex() +
                                      " differs from the envelope's " + envelope_key->ToHex());
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<std::string> EncodeLeaf(const Leaf& leaf) {
  MAMORI_RETURN_IF_ERROR(CheckFields(leaf.version, leaf.key_id, leaf.sequence, leaf.timestamp_ms,
                                     crypto::AsBytes(leaf.ciphertext)));
  std::string out;
  out.reserve(Leaf::kHeaderSize + leaf.ciphertext.size());
  out += static_cast<char>(leaf.version);
  internal::AppendBytes(out, leaf.key_id.bytes());
  internal::AppendUint64(out, leaf.sequence);
  internal::AppendUint64(out, leaf.timestamp_ms);
  out += leaf.ciphertext;
  return out;
}

core::Result<Leaf> DecodeLeaf(std::span<const uint8_t> bytes) {
  if (bytes.size() < Leaf::kHeaderSize) {
    return core::InvalidArgumentError("leaf: " + std::to_string(bytes.size()) +
                                      " bytes is shorter than the header");
  }
  Leaf leaf;
  leaf.version = bytes[Leaf::kVersionOffset];
  std::array<uint8_t, crypto::AeadKeyId::kSize> key_id;
  std::copy_n(bytes.begin() + Leaf::kKeyIdOffset, key_id.size(), key_id.begin());
  leaf.key_id = crypto::AeadKeyId(key_id);
  leaf.sequence = internal::ReadUint64(bytes.subspan(Leaf::kSequenceOffset));
  leaf.timestamp_ms = internal::ReadUint64(bytes.subspan(Leaf::kTimestampOffset));
  std::span<const uint8_t> ciphertext = bytes.subspan(Leaf::kCiphertextOffset);
  MAMORI_RETURN_IF_ERROR(
      CheckFields(leaf.version, leaf.key_id, leaf.sequence, leaf.timestamp_ms, ciphertext));
  leaf.ciphertext.assign(crypto::AsStringView(ciphertext));
  return leaf;
}

}  // namespace mamori::ledger

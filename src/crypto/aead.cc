// SPDX-License-Identifier: Apache-2.0
#include "crypto/aead.h"

#include <algorithm>

#include "core/check.h"
#include "crypto/internal/aes_gcm.h"
#include "crypto/internal/hex.h"

namespace mamori::crypto {
namespace {

using internal::ByteSpan;

static_assert(Aead::kTagSize == internal::kGcmTagSize);
static_assert(AeadKey::kSize == internal::kAes256KeySize);

// Checks everything Open can check before touching the key: length, version,
// algorithm. Returns the header's key id.
core::Result<AeadKeyId> ParseHeader(ByteSpan envelope) {
  if (envelope.size() < Aead::kHeaderSize) {
    return core::InvalidArgumentError("envelope of " + std::to_string(envelope.size()) +
                                      " bytes is shorter than its " +
                                      std::to_string(Aead::kHeaderSize) + "-byte header");
  }
  if (envelope[Aead::kVersionOffset] != Aead::kVersion1) {
    return core::InvalidArgumentError("unknown envelope version " +
                                      std::to_string(envelope[Aead::kVersionOffset]));
  }
  if (envelope[Aead::kAlgorithmOffset] != Aead::kAlgorithmAes256Gcm) {
    return core::InvalidArgumentError("unknown envelope algorithm " +
                                      std::to_string(envelope[Aead::kAlgorithmOffset]));
  }
  if (envelope.size() > Aead::kMaxPlaintextSize + Aead::kOverhead) {
    return core::InvalidArgumentError("envelope longer than the largest Seal output");
  }
  return AeadKeyId::FromBytes(envelope.subspan(Aead::kKeyIdOffset, AeadKeyId::kSize));
}

core::Status CheckAadSize(ByteSpan aad) {
  if (aad.size() > Aead::kMaxAadSize) {
    return core::InvalidArgumentError("AAD of " + std::to_string(aad.size()) + " bytes exceeds " +
                                      std::to_string(Aead::kMaxAadSize));
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<AeadKeyId> AeadKeyId::FromBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) {
    return core::InvalidArgumentError("key id must be 16 bytes, got " +
                                      std::to_string(bytes.size()));
  }
  std::array<uint8_t, kSize> id;
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return AeadKeyId(id);
}

std::string AeadKeyId::ToHex() const { return internal::HexEncode(bytes_); }

AeadKey AeadKey::Generate(core::Random& random) {
  SecureBytes bytes(kSize);
  random.Fill(bytes.mutable_span());
  std::array<uint8_t, AeadKeyId::kSize> id;
  random.Fill(id);
  return AeadKey(AeadKeyId(id), std::move(bytes));
}

core::Result<AeadKey> AeadKey::Import(const AeadKeyId& id, std::span<const uint8_t> key) {
  if (key.size() != kSize) {
    return core::InvalidArgumentError("AES-256 key must be 32 bytes, got " +
                                      std::to_string(key.size()));
  }
  return AeadKey(id, SecureBytes(key));
}

std::span<const uint8_t> AeadKey::ExportKeyBytes() const {
  MAMORI_CHECK(bytes_.size() == kSize);  // empty only after a move
  return bytes_.span();
}

core::Result<std::string> Aead::Seal(const AeadKey& key, std::span<const uint8_t> plaintext,
                                     std::span<const uint8_t> aad, core::Random& random) {
  ByteSpan key_bytes = key.ExportKeyBytes();
  if (plaintext.size() > kMaxPlaintextSize) {
    return core::InvalidArgumentError("plaintext of " + std::to_string(plaintext.size()) +
                                      " bytes exceeds " + std::to_string(kMaxPlaintextSize));
  }
  MAMORI_RETURN_IF_ERROR(CheckAadSize(aad));
  std::string envelope(kOverhead + plaintext.size(), '\0');
  std::span<uint8_t> out(reinterpret_cast<uint8_t*>(envelope.data()), envelope.size());
  out[kVersionOffset] = kVersion1;
  out[kAlgorithmOffset] = kAlgorithmAes256Gcm;
  std::copy(key.id().bytes().begin(), key.id().bytes().end(), out.begin() + kKeyIdOffset);
  std::span<uint8_t> nonce = out.subspan(kNonceOffset, kNonceSize);
  // A fresh random nonce per message: a repeated (key, nonce) pair would leak
  // the XOR of two plaintexts and GCM's authentication key.
  random.Fill(nonce);
  // The whole header is authenticated, so version, algorithm and key id cannot
  // be swapped without Open failing.
  std::array<ByteSpan, 2> aad_pieces = {ByteSpan(out.first(kHeaderSize)), aad};
  MAMORI_RETURN_IF_ERROR(internal::Aes256GcmEncryptInto(key_bytes, nonce, aad_pieces, plaintext,
                                                        out.subspan(kHeaderSize)));
  return envelope;
}

core::Result<SecureBytes> Aead::Open(const AeadKey& key, std::span<const uint8_t> envelope,
                                     std::span<const uint8_t> aad) {
  ByteSpan key_bytes = key.ExportKeyBytes();
  MAMORI_ASSIGN_OR_RETURN(AeadKeyId id, ParseHeader(envelope));
  if (id != key.id()) {
    return core::InvalidArgumentError("envelope names key " + id.ToHex() + ", not key " +
                                      key.id().ToHex());
  }
  MAMORI_RETURN_IF_ERROR(CheckAadSize(aad));
  if (envelope.size() < kOverhead) {
    return core::DataLossError("envelope under key " + id.ToHex() + " is truncated");
  }
  std::array<ByteSpan, 2> aad_pieces = {envelope.first(kHeaderSize), aad};
  auto plaintext =
      internal::Aes256GcmDecryptPieces(key_bytes, envelope.subspan(kNonceOffset, kNonceSize),
                                       aad_pieces, envelope.subspan(kHeaderSize));
  if (!plaintext.ok()) {
    return std::move(plaintext).status().With("opening envelope under key ", id.ToHex());
  }
  return plaintext;
}

core::Result<AeadKeyId> Aead::EnvelopeKeyId(std::span<const uint8_t> envelope) {
  return ParseHeader(envelope);
}

}  // namespace mamori::crypto

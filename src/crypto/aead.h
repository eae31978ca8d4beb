// SPDX-License-Identifier: Apache-2.0
#pragma once

// Authenticated encryption of records at rest: AES-256-GCM in a versioned
// envelope (STYLE.md rules 18-21; GUIDELINE SYS-60; DESIGN invariant 4).
//
// Aead::Seal encrypts a plaintext under an AeadKey, draws a fresh 96-bit nonce
// from core::Random, and returns one self-describing byte string, the
// envelope: version, algorithm id, key id, nonce, ciphertext, tag. The header
// is authenticated together with the caller's AAD, so neither can be changed
// without Open failing. Aead::Open checks the tag before it releases a single
// plaintext byte. The byte layout, with a worked example, is in
// src/crypto/FORMAT.md; the constants below are its names.
//
// The AAD is the caller's statement of what the ciphertext is for. The store
// binds resource type, id and version ("Patient/123/_history/2") so that a
// ciphertext copied to another row fails to open (DESIGN "Storage and keys").
//
// AeadKey owns 32 key bytes (wiped on destruction) and a 16-byte key id that
// is written into every envelope. It is movable, not copyable (Clone() is
// explicit), has no operator== and does not print. Aead borrows the key for
// the duration of each call.
//
//   crypto::AeadKey dek = crypto::AeadKey::Generate(env.random());
//   MAMORI_ASSIGN_OR_RETURN(std::string envelope,
//       crypto::Aead::Seal(dek, crypto::AsBytes(json), crypto::AsBytes(aad), env.random()));
//   ...
//   MAMORI_ASSIGN_OR_RETURN(crypto::AeadKeyId id,
//       crypto::Aead::EnvelopeKeyId(crypto::AsBytes(envelope)));
//   const crypto::AeadKey& key = keyring.Find(id);   // the caller's key lookup
//   MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes json,
//       crypto::Aead::Open(key, crypto::AsBytes(envelope), crypto::AsBytes(aad)));
//   // tests: core::DeterministicRandom random(seed); AeadKey::Generate(random);
//
// Thread-safety: Seal and Open may run concurrently on one shared const key.
// With random 96-bit nonces a key must seal fewer than 2^32 messages (NIST SP
// 800-38D section 8.3); one data key per patient compartment stays far below.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/random.h"
#include "core/status.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto {

// Names an AeadKey inside envelopes. 16 random bytes, so that stateless nodes
// sharing one PostgreSQL database can create keys without coordinating and
// without collisions (2^-64 at four billion keys). Not secret: it may appear in
// Status messages and logs as hex.
class AeadKeyId {
 public:
  static constexpr size_t kSize = 16;

  // The all-zero id. Generate() never returns it by chance in practice.
  AeadKeyId() = default;
  explicit AeadKeyId(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}
  // Errors: kInvalidArgument unless bytes.size() == 16.
  static core::Result<AeadKeyId> FromBytes(std::span<const uint8_t> bytes);

  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  // 32 lowercase hex digits.
  std::string ToHex() const;

  friend bool operator==(const AeadKeyId&, const AeadKeyId&) = default;

 private:
  std::array<uint8_t, kSize> bytes_{};
};

// A 256-bit AES-GCM key and its id.
class AeadKey {
 public:
  static constexpr size_t kSize = 32;

  // A new key: 32 random key bytes and a random id, both from `random`.
  static AeadKey Generate(core::Random& random);
  // Loads a stored key (for example one unwrapped by the key hierarchy).
  // Errors: kInvalidArgument unless key.size() == 32.
  static core::Result<AeadKey> Import(const AeadKeyId& id, std::span<const uint8_t> key);

  AeadKey(AeadKey&&) noexcept = default;
  AeadKey& operator=(AeadKey&&) noexcept = default;
  AeadKey Clone() const { return AeadKey(id_, bytes_.Clone()); }

  const AeadKeyId& id() const { return id_; }
  // The raw key bytes, only for wrapping under a KEK. Never log them. The span
  // borrows from *this. REQUIRES: not moved from.
  std::span<const uint8_t> ExportKeyBytes() const;

 private:
  AeadKey(const AeadKeyId& id, SecureBytes bytes) : id_(id), bytes_(std::move(bytes)) {}
  AeadKeyId id_;
  SecureBytes bytes_;
};

class Aead {
 public:
  // Envelope layout (FORMAT.md "Envelope version 1"). 0x00 is reserved in
  // both the version and the algorithm byte, so a zeroed buffer never parses.
  static constexpr uint8_t kVersion1 = 0x01;
  static constexpr uint8_t kAlgorithmAes256Gcm = 0x01;
  static constexpr size_t kVersionOffset = 0;
  static constexpr size_t kAlgorithmOffset = 1;
  static constexpr size_t kKeyIdOffset = 2;
  static constexpr size_t kNonceOffset = kKeyIdOffset + AeadKeyId::kSize;  // 18
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kHeaderSize = kNonceOffset + kNonceSize;  // 30
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kOverhead = kHeaderSize + kTagSize;  // 46
  // Inputs above these are refused: records are far smaller, and OpenSSL's
  // EVP lengths are int.
  static constexpr size_t kMaxPlaintextSize = size_t{1} << 30;  // 1 GiB
  static constexpr size_t kMaxAadSize = size_t{1} << 16;        // 64 KiB

  Aead() = delete;

  // Encrypts `plaintext` under `key`, binding `aad`, with a nonce drawn from
  // `random`. Returns the envelope: kOverhead + plaintext.size() bytes.
  // REQUIRES: `key` was not moved from.
  // Errors: kInvalidArgument if plaintext exceeds kMaxPlaintextSize or aad
  // exceeds kMaxAadSize; kInternal if OpenSSL fails.
  static core::Result<std::string> Seal(const AeadKey& key, std::span<const uint8_t> plaintext,
                                        std::span<const uint8_t> aad, core::Random& random);

  // Authenticates `envelope` and `aad` under `key` and returns the plaintext.
  // No plaintext byte is released unless the tag verifies (STYLE.md rule 19).
  // REQUIRES: `key` was not moved from.
  // Errors:
  //   kInvalidArgument: not an envelope this version reads: shorter than
  //     kHeaderSize, an unknown version or algorithm byte, longer than
  //     kMaxPlaintextSize + kOverhead, aad over kMaxAadSize; or `key` is not the
  //     key the header names (its id differs: look the key up with
  //     EnvelopeKeyId first).
  //   kDataLoss: the header is well formed but authentication fails: the
  //     envelope was truncated or modified, the AAD differs, or the key has the
  //     right id and the wrong bytes.
  static core::Result<SecureBytes> Open(const AeadKey& key, std::span<const uint8_t> envelope,
                                        std::span<const uint8_t> aad);

  // The key id in the envelope's header, so the caller can find the key.
  // The id is not authenticated until Open succeeds.
  // Errors: kInvalidArgument as for Open's header checks.
  static core::Result<AeadKeyId> EnvelopeKeyId(std::span<const uint8_t> envelope);
};

}  // namespace mamori::crypto

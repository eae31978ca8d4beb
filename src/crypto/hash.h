// SPDX-License-Identifier: Apache-2.0
#pragma once

// SHA-256, HMAC-SHA-256 and HKDF-SHA-256 (RFC 6234, RFC 2104, RFC 5869) over
// OpenSSL 3 EVP. These are the hashes the ledger (RFC 9162 tree hashing),
// blind indexes (keyed hashes of search values), TOTP and key derivation use.
//
// HmacKey is a typed secret (STYLE.md rule 20): it owns its bytes in a
// SecureBytes, is movable but not copyable, has no operator== and does not
// print. New keys come from Generate(random); Import() loads a stored key.
//
//   crypto::Sha256Digest leaf = crypto::Sha256(crypto::AsBytes(entry));
//   crypto::HmacKey key = crypto::HmacKey::Generate(env.random());
//   crypto::HmacSha256Tag tag = crypto::HmacSha256(key, crypto::AsBytes("family=Yamada"));
//   if (!crypto::VerifyHmacSha256(key, msg, tag)) return core::UnauthenticatedError("bad token");
//   MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes sub,
//       crypto::HkdfSha256(master, salt, crypto::AsBytes("mamori/blind-index/v1"), 32));
//   // tests: core::DeterministicRandom random(seed); HmacKey::Generate(random);
//
// Thread-safety: the free functions are safe to call from any thread; an
// HmacKey may be shared read-only; one Sha256Hasher is used by one thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/random.h"
#include "core/status.h"
#include "crypto/secure_bytes.h"

struct evp_md_ctx_st;  // EVP_MD_CTX, kept out of this header

namespace mamori::crypto {

inline constexpr size_t kSha256Size = 32;
using Sha256Digest = std::array<uint8_t, kSha256Size>;
using HmacSha256Tag = std::array<uint8_t, kSha256Size>;

// The SHA-256 digest of `data`.
Sha256Digest Sha256(std::span<const uint8_t> data);

// SHA-256 over data that arrives in pieces: Update() any number of times,
// then Finish() once.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  // Appends `data` to the message. REQUIRES: Finish() has not been called.
  void Update(std::span<const uint8_t> data);
  // The digest of everything passed to Update(). REQUIRES: called once.
  Sha256Digest Finish();

 private:
  evp_md_ctx_st* ctx_;
  bool finished_ = false;
};

// A key for HMAC-SHA-256.
class HmacKey {
 public:
  // The size of generated keys: the hash output size, as RFC 2104 advises.
  static constexpr size_t kGeneratedSize = 32;

  // A new random 32-byte key drawn from `random`.
  static HmacKey Generate(core::Random& random);
  // Loads stored key bytes (any non-empty length; keys longer than the
  // 64-byte block are hashed first, per RFC 2104).
  // Errors: kInvalidArgument if `key` is empty.
  static core::Result<HmacKey> Import(std::span<const uint8_t> key);

  HmacKey(HmacKey&&) noexcept = default;
  HmacKey& operator=(HmacKey&&) noexcept = default;
  HmacKey Clone() const { return HmacKey(bytes_.Clone()); }

  // The key bytes, for writing the key to a wrapped key file only.
  // The span borrows from *this. REQUIRES: not moved from.
  std::span<const uint8_t> ExportKeyBytes() const;

 private:
  explicit HmacKey(SecureBytes bytes) : bytes_(std::move(bytes)) {}
  SecureBytes bytes_;
};

// HMAC-SHA-256(key, message), the full 32-byte tag.
// REQUIRES: `key` was not moved from.
HmacSha256Tag HmacSha256(const HmacKey& key, std::span<const uint8_t> message);

// The minimum tag length VerifyHmacSha256 accepts: 128 bits, the shortest
// truncation RFC 4231 section 4.6 shows and NIST SP 800-107 allows here.
inline constexpr size_t kMinHmacTagSize = 16;

// True when `tag` equals the leftmost tag.size() bytes of HMAC-SHA-256(key,
// message), compared in constant time. Tags shorter than kMinHmacTagSize or
// longer than 32 bytes are never valid (so an empty tag cannot "match").
// REQUIRES: `key` was not moved from.
[[nodiscard]] bool VerifyHmacSha256(const HmacKey& key, std::span<const uint8_t> message,
                                    std::span<const uint8_t> tag);

// The largest HKDF-SHA-256 output, 255 * HashLen (RFC 5869 section 2.3).
inline constexpr size_t kMaxHkdfSha256Size = 255 * kSha256Size;

// HKDF-SHA-256 (RFC 5869): Extract with `salt` (empty means HashLen zero
// bytes), then Expand with `info`, the context label that keeps keys derived
// for different purposes apart (STYLE.md rule 21).
// Returns `length` bytes of output keying material.
// Errors: kInvalidArgument if length is 0 or above kMaxHkdfSha256Size (8160),
// or if `ikm` is empty.
core::Result<SecureBytes> HkdfSha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                                     std::span<const uint8_t> info, size_t length);

}  // namespace mamori::crypto

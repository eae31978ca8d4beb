// SPDX-License-Identifier: Apache-2.0
#pragma once

// Ed25519 signatures (RFC 8032) over OpenSSL 3 EVP: the ledger's signed tree
// heads and other mamori-made statements (GUIDELINE PLAN-10, SYS-54).
//
// SigningKey owns a private key (an EVP_PKEY, which OpenSSL wipes on free; the
// 32-byte seed passes only through SecureBytes). It is movable, not copyable
// (Clone() is explicit), has no operator== and does not print. VerifyingKey is
// a public key: a copyable value with operator==.
//
// Keys interoperate with `openssl pkeyutl`: ToPem() writes PKCS#8
// ("BEGIN PRIVATE KEY") and SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), and a
// signature verifies with `openssl pkeyutl -verify -rawin -pubin -inkey pub.pem`.
//
//   crypto::SigningKey key = crypto::SigningKey::Generate(env.random());
//   crypto::Ed25519Signature sig = key.Sign(crypto::AsBytes(tree_head));
//   std::string pub_pem = key.PublicKey().ToPem();          // publish this
//   MAMORI_ASSIGN_OR_RETURN(crypto::VerifyingKey pub, crypto::VerifyingKey::FromPem(pub_pem));
//   if (!pub.Verify(crypto::AsBytes(tree_head), sig)) return core::DataLossError("bad STH");
//   // tests: core::DeterministicRandom random(seed); SigningKey::Generate(random);
//
// Thread-safety: Sign and Verify may run concurrently on one shared const key.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/random.h"
#include "core/status.h"
#include "crypto/secure_bytes.h"

struct evp_pkey_st;  // EVP_PKEY, kept out of this header

namespace mamori::crypto {

inline constexpr size_t kEd25519SignatureSize = 64;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

namespace internal {
using SharedPkey = std::shared_ptr<evp_pkey_st>;
}  // namespace internal

// An Ed25519 public key.
class VerifyingKey {
 public:
  static constexpr size_t kSize = 32;

  // From the raw 32-byte encoding (RFC 8032 section 5.1.5).
  // Errors: kInvalidArgument unless raw.size() == 32.
  static core::Result<VerifyingKey> Import(std::span<const uint8_t> raw);
  // From a "BEGIN PUBLIC KEY" PEM (SubjectPublicKeyInfo).
  // Errors: kInvalidArgument if the PEM does not parse or holds another key type.
  static core::Result<VerifyingKey> FromPem(std::string_view pem);

  // The raw 32-byte encoding.
  std::array<uint8_t, kSize> Raw() const;
  // SubjectPublicKeyInfo PEM, as `openssl pkey -pubout` writes it.
  std::string ToPem() const;

  // True only if `signature` is a valid Ed25519 signature of `message` under
  // this key. Any malformed input (wrong length, non-canonical S, a point not
  // on the curve) is simply "not valid": verification has no other outcome.
  [[nodiscard]] bool Verify(std::span<const uint8_t> message,
                            std::span<const uint8_t> signature) const;

  // Copyable; a "moved-from" key is a copy, never empty.
  VerifyingKey(const VerifyingKey&) = default;
  VerifyingKey& operator=(const VerifyingKey&) = default;

  friend bool operator==(const VerifyingKey& a, const VerifyingKey& b) {
    return a.Raw() == b.Raw();
  }

 private:
  explicit VerifyingKey(internal::SharedPkey key) : key_(std::move(key)) {}
  internal::SharedPkey key_;  // immutable once built, so sharing is safe
};

// An Ed25519 private key.
class SigningKey {
 public:
  static constexpr size_t kSeedSize = 32;

  // A new key from 32 bytes drawn from `random`.
  static SigningKey Generate(core::Random& random);
  // From the raw 32-byte private key (the RFC 8032 seed).
  // Errors: kInvalidArgument unless seed.size() == 32.
  static core::Result<SigningKey> Import(std::span<const uint8_t> seed);
  // From an unencrypted PKCS#8 "BEGIN PRIVATE KEY" PEM, as `openssl genpkey
  // -algorithm ed25519` writes it.
  // Errors: kInvalidArgument if the PEM does not parse or holds another key type.
  static core::Result<SigningKey> FromPem(std::span<const uint8_t> pem);

  SigningKey(SigningKey&&) noexcept = default;
  SigningKey& operator=(SigningKey&&) noexcept = default;
  SigningKey Clone() const { return SigningKey(key_); }

  // The matching public key. REQUIRES: not moved from.
  VerifyingKey PublicKey() const;
  // The 64-byte signature of `message`. REQUIRES: not moved from.
  Ed25519Signature Sign(std::span<const uint8_t> message) const;
  // The raw 32-byte seed, for wrapping under a KEK only. REQUIRES: not moved from.
  SecureBytes ExportSeed() const;
  // Unencrypted PKCS#8 PEM, for `openssl pkeyutl -sign -inkey`. Write it only
  // to a file readable by its owner, or wrap it. REQUIRES: not moved from.
  SecureBytes ToPem() const;

 private:
  explicit SigningKey(internal::SharedPkey key) : key_(std::move(key)) {}
  evp_pkey_st* Get() const;  // REQUIRES: not moved from
  // Shared only with Clone()s of this key; EVP_PKEY is immutable here, so
  // concurrent Sign calls are safe.
  internal::SharedPkey key_;
};

}  // namespace mamori::crypto

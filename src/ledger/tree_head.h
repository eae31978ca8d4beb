// SPDX-License-Identifier: Apache-2.0
#pragma once

// The signed tree head (STH): the log's periodic, signed statement "after
// tree_size leaves my Merkle root was root_hash, at this time". Anyone who
// keeps one can later demand a consistency proof to a newer head, so a
// database administrator who rewrites or truncates history is caught
// (DESIGN "Audit ledger"; GUIDELINE PLAN-10, SYS-54).
//
// TreeHead is the statement; SignedTreeHead is the statement, the id of the
// key that signed it and an Ed25519 signature over the exact bytes of its
// binary encoding (171 bytes, versioned, big-endian; byte by byte in
// FORMAT.md "Signed tree head", which the constants below name). Parse is
// strict: one length, one version, no trailing bytes, reserved values
// refused; the signature covers every byte before it, so any change to a
// serialized head fails Parse or Verify.
//
//   // Issuing (every few seconds, from the writer's CompactRange):
//   ledger::TreeHead head{.log_id = log_id, .tree_size = range.size(),
//                         .root_hash = range.Root(), .timestamp_ms = now_ms};  // Clock::Now()
//   MAMORI_ASSIGN_OR_RETURN(ledger::SignedTreeHead sth, head.Sign(signing_key));
//   std::string bytes = sth.Serialize();           // store, export, serve
//   // Checking one received from anywhere:
//   MAMORI_ASSIGN_OR_RETURN(ledger::TreeHead checked,
//                           ledger::OpenSignedTreeHead(crypto::AsBytes(bytes), public_key));
//   // tests: core::DeterministicRandom random(seed); crypto::SigningKey::Generate(random);
//
// The signature is pure Ed25519 (RFC 8032) over SignedBytes(), so
// `openssl pkeyutl -verify -rawin -pubin -inkey pub.pem -in signed.bin -sigfile sig.bin`
// checks a head without mamori. Values are copyable; thread-safe as values.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/status.h"
#include "crypto/signature.h"
#include "ledger/hash.h"

namespace mamori::ledger {

// Names the log: 16 bytes chosen once when the data directory is created.
// It stays the same when the signing key is rotated, and keeps the heads of
// two installations apart.
using LogId = std::array<uint8_t, 16>;
// Names the signing key: SHA-256 of its raw 32-byte Ed25519 public key
// (KeyIdOf), so a verifier can pick the key and cannot be fooled about it.
using KeyId = std::array<uint8_t, 32>;

KeyId KeyIdOf(const crypto::VerifyingKey& key);

class SignedTreeHead;

struct TreeHead {
  LogId log_id{};
  // The number of leaves. At most kMaxTreeSize.
  uint64_t tree_size = 0;
  // RFC 9162 root of the first tree_size leaves (the empty root when 0).
  Hash root_hash{};
  // When the head was issued: milliseconds since 1970-01-01T00:00:00Z (Unix
  // time, UTC), from core::Clock::Now(). At most 2^63 - 1.
  uint64_t timestamp_ms = 0;

  // Errors: kInvalidArgument if tree_size > kMaxTreeSize, timestamp_ms >
  // 2^63 - 1, or tree_size == 0 with a root other than the empty tree's.
  core::Status Validate() const;

  // Signs this head with `key`. Errors: kInvalidArgument as Validate.
  // REQUIRES: `key` was not moved from.
  core::Result<SignedTreeHead> Sign(const crypto::SigningKey& key) const;

  friend bool operator==(const TreeHead&, const TreeHead&) = default;
};

class SignedTreeHead {
 public:
  // Layout, version 1 (FORMAT.md). 0x00 is reserved in every type byte.
  static constexpr std::array<uint8_t, 8> kMagic = {'m', 'a', 'm', 'o', 'r', 'i', 'T', 'H'};
  static constexpr uint8_t kVersion1 = 0x01;
  static constexpr uint8_t kHashAlgorithmSha256 = 0x01;        // RFC 9162, SHA-256
  static constexpr uint8_t kSignatureAlgorithmEd25519 = 0x01;  // RFC 8032, pure
  static constexpr size_t kMagicOffset = 0;
  static constexpr size_t kVersionOffset = 8;
  static constexpr size_t kHashAlgorithmOffset = 9;
  static constexpr size_t kSignatureAlgorithmOffset = 10;
  static constexpr size_t kLogIdOffset = 11;
  static constexpr size_t kKeyIdOffset = kLogIdOffset + 16;           // 27
  static constexpr size_t kTreeSizeOffset = kKeyIdOffset + 32;        // 59
  static constexpr size_t kTimestampOffset = kTreeSizeOffset + 8;     // 67
  static constexpr size_t kRootHashOffset = kTimestampOffset + 8;     // 75
  static constexpr size_t kSignedSize = kRootHashOffset + kHashSize;  // 107
  static constexpr size_t kSignatureOffset = kSignedSize;
  static constexpr size_t kSize = kSignedSize + crypto::kEd25519SignatureSize;  // 171

  // Reads a serialized head. Does not check the signature: use Verify, or
  // OpenSignedTreeHead, before trusting any field.
  // Errors: kInvalidArgument if bytes.size() != kSize, the magic, version or
  // an algorithm byte is not version 1's, or the fields fail
  // TreeHead::Validate.
  static core::Result<SignedTreeHead> Parse(std::span<const uint8_t> bytes);

  // The kSize-byte encoding: SignedBytes() followed by the signature.
  std::string Serialize() const;
  // The kSignedSize bytes the signature covers.
  std::string SignedBytes() const;

  // Checks the signature under `key`.
  // Errors: kInvalidArgument if `key` is not the key the head names
  // (key_id() != KeyIdOf(key): pick the key by key_id()); kDataLoss if the
  // signature does not verify.
  [[nodiscard]] core::Status Verify(const crypto::VerifyingKey& key) const;

  // The fields. Untrusted until Verify succeeds.
  const TreeHead& head() const { return head_; }
  const KeyId& key_id() const { return key_id_; }
  const crypto::Ed25519Signature& signature() const { return signature_; }

  friend bool operator==(const SignedTreeHead&, const SignedTreeHead&) = default;

 private:
  friend struct TreeHead;
  SignedTreeHead(const TreeHead& head, const KeyId& key_id,
                 const crypto::Ed25519Signature& signature)
      : head_(head), key_id_(key_id), signature_(signature) {}

  TreeHead head_;
  KeyId key_id_;
  crypto::Ed25519Signature signature_;
};

// Parse, then Verify under `key`: the head, only if both succeed.
// Errors: as SignedTreeHead::Parse and SignedTreeHead::Verify.
core::Result<TreeHead> OpenSignedTreeHead(std::span<const uint8_t> bytes,
                                          const crypto::VerifyingKey& key);

}  // namespace mamori::ledger

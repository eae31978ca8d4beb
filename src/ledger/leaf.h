// SPDX-License-Identifier: Apache-2.0
#pragma once

// The audit log's leaf: one audit event, encrypted, in a versioned binary
// encoding (FORMAT.md "Leaf"). The event JSON is sealed with crypto::Aead by
// the caller; the leaf carries the envelope as it is, and the tree hashes the
// encoded leaf (HashLeaf), so the integrity of every event — and of its
// position and time — is checkable without the key, by `mamori audit verify`
// or an outside auditor (DESIGN "Audit ledger"; GUIDELINE SYS-54).
//
// In mamori the payload is an AuditEvent's JSON (audit_event.h) sealed by the
// store with the audit key under AAD "ledger/<sequence>" (FORMAT.md).
//
//   MAMORI_ASSIGN_OR_RETURN(std::string envelope,
//       crypto::Aead::Seal(ledger_key, crypto::AsBytes(event_json), aad, env.random()));
//   ledger::Leaf leaf{.key_id = ledger_key.id(), .sequence = range.size(),
//                     .timestamp_ms = now_ms, .ciphertext = std::move(envelope)};
//   MAMORI_ASSIGN_OR_RETURN(std::string bytes, ledger::EncodeLeaf(leaf));
//   range.Append(ledger::HashLeaf(crypto::AsBytes(bytes)), &new_nodes);   // same transaction
//   // Reading back:
//   MAMORI_ASSIGN_OR_RETURN(ledger::Leaf read, ledger::DecodeLeaf(crypto::AsBytes(bytes)));
//
// Values only; thread-safe as values.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/status.h"
#include "crypto/aead.h"

namespace mamori::ledger {

struct Leaf {
  // Layout, version 1 (FORMAT.md). 0x00 is reserved.
  static constexpr uint8_t kVersion1 = 0x01;
  static constexpr size_t kVersionOffset = 0;
  static constexpr size_t kKeyIdOffset = 1;
  static constexpr size_t kSequenceOffset = kKeyIdOffset + crypto::AeadKeyId::kSize;  // 17
  static constexpr size_t kTimestampOffset = kSequenceOffset + 8;                     // 25
  static constexpr size_t kCiphertextOffset = kTimestampOffset + 8;                   // 33
  static constexpr size_t kHeaderSize = kCiphertextOffset;
  // An audit event is a few hundred bytes; a search that touched many
  // patients lists them all, so leave room, but bound what a reader allocates.
  static constexpr size_t kMaxCiphertextSize = size_t{16} << 20;  // 16 MiB

  uint8_t version = kVersion1;
  // The id of the AeadKey that sealed `ciphertext`; equal to the key id in the
  // envelope's own header (checked both ways), so a reader finds the key
  // without parsing the envelope and the two cannot disagree.
  crypto::AeadKeyId key_id;
  // The leaf's 0-based index in the log. Stored inside the hashed bytes, so a
  // leaf moved to another position is caught even before the tree is
  // recomputed. At most 2^63 - 1.
  uint64_t sequence = 0;
  // When the event happened: milliseconds since the Unix epoch, UTC, from
  // core::Clock::Now(). At most 2^63 - 1.
  uint64_t timestamp_ms = 0;
  // The crypto::Aead envelope of the event JSON (kOverhead bytes or more).
  std::string ciphertext;

  friend bool operator==(const Leaf&, const Leaf&) = default;
};

// The encoded leaf: Leaf::kHeaderSize + ciphertext.size() bytes.
// Errors: kInvalidArgument if the version is not kVersion1, sequence or
// timestamp_ms is above 2^63 - 1, or the ciphertext is not an Aead envelope
// of at most kMaxCiphertextSize bytes whose key id is `key_id`.
core::Result<std::string> EncodeLeaf(const Leaf& leaf);

// Reads an encoded leaf, strictly: exactly the rules EncodeLeaf enforces, so
// DecodeLeaf(x) succeeds only if EncodeLeaf(*DecodeLeaf(x)) == x.
// Errors: kInvalidArgument for anything else (too short, unknown version,
// out-of-range numbers, a ciphertext that is not an envelope, a key id that
// differs from the envelope's).
core::Result<Leaf> DecodeLeaf(std::span<const uint8_t> bytes);

}  // namespace mamori::ledger

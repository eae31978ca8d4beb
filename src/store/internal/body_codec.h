// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.
//
// The body codec: what a resource body's plaintext looks like inside its AEAD
// envelope (store/SCHEMA.md "Body encoding"). A body is zstd-compressed when
// that makes it smaller; otherwise it is stored as it is, which is also how
// every body written before compression looks (JSON: its first byte is '{'
// or JSON whitespace). The first plaintext byte tells them apart:
//
//   (empty)          the empty body (a tombstone)
//   0x00 <bytes>     stored as is; written only for a body whose own first
//                    byte is in the reserved range 0x00..0x07
//   0x01 <frame>     one zstd frame (RFC 8878) with its content size
//   0x02..0x07       reserved (kDataLoss "unknown body codec")
//   anything else    the body itself, uncompressed (JSON never starts with
//                    0x00..0x07)
//
// Thread-safe: compression and decompression contexts are per thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mamori::store::internal {

inline constexpr uint8_t kBodyCodecIdentity = 0x00;
inline constexpr uint8_t kBodyCodecZstd = 0x01;
inline constexpr uint8_t kBodyCodecReservedLast = 0x07;

// zstd level: 1 and 3 give within 1% of each other on FHIR JSON (Synthea: 0.41
// of the raw size) and 1 is the cheaper on the store's committer thread.
inline constexpr int kBodyZstdLevel = 1;

// The largest body Decode returns: what Aead could have sealed uncompressed
// (crypto::Aead::kMaxPlaintextSize, 1 GiB), so compression admits nothing
// that was not storable before; a frame declaring more is refused unread.
inline constexpr size_t kMaxDecodedBodySize = size_t{1} << 30;

// The plaintext to seal for `body`: compressed if that is smaller.
std::string EncodeBody(std::string_view body);

// The body of a decoded plaintext. kDataLoss for a reserved codec byte, a
// frame that does not decompress, has trailing bytes, does not declare its
// size, or declares more than `max_size` (checked before anything is
// allocated, so a tampered row cannot make a read allocate gigabytes).
core::Result<std::string> DecodeBody(std::string_view plaintext,
                                     size_t max_size = kMaxDecodedBodySize);

}  // namespace mamori::store::internal

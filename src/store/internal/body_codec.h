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
//   0x01 <frame>     one zstd frame (RFC 8878) with its content size, no
//                    dictionary (read, no longer written)
//   0x02 <frame>     the same with dictionary 1 (body_dictionary_1.zdict,
//                    trained on synthetic resources from the R4 definitions
//                    by scripts/body-dictionary/make_dictionary.py); written
//   0x03..0x07       reserved (kDataLoss "unknown body codec")
//   anything else    the body itself, uncompressed (JSON never starts with
//                    0x00..0x07)
//
// Thread-safe: compression and decompression contexts are per thread; the
// dictionary's digested forms are built once and only read after.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mamori::store::internal {

inline constexpr uint8_t kBodyCodecIdentity = 0x00;
inline constexpr uint8_t kBodyCodecZstd = 0x01;
inline constexpr uint8_t kBodyCodecZstdDictionary1 = 0x02;
inline constexpr uint8_t kBodyCodecReservedLast = 0x07;

// The Dictionary_ID inside dictionary 1 and in every frame it compressed.
inline constexpr uint32_t kBodyDictionary1Id = 1;

// zstd level with the dictionary. 3 gives 5% smaller Synthea bodies than 1
// (0.31 against 0.33 of the raw size) but costs 1.6-6 us more a body with
// cold caches (7-14 us against 5-8.5 us), and compression runs on the store's
// single committer thread; 1 with the dictionary is cheaper than 1 without.
inline constexpr int kBodyZstdLevel = 1;

// The bytes of dictionary 1, as linked into the binary.
std::string_view BodyDictionary1();

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

// SPDX-License-Identifier: Apache-2.0
// Fuzz target for Aead::Open and Aead::EnvelopeKeyId on arbitrary bytes
// (STYLE.md rule 32): an envelope read back from storage or a backup is
// untrusted. Open must never crash and never return OK: no input here was
// sealed under the fuzz key with the fuzz AAD, so success would be a forgery.
//
// Corpus (aead_envelope_corpus/): a genuine envelope under the fuzz key but
// for another AAD (reaches tag verification), the same envelope truncated, the
// header alone, an empty file, an unknown version, and another key id. They
// were written by a short Python script with the `cryptography` package; see
// README.md "Testing".

#include <span>
#include <string_view>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "crypto/aead.h"

namespace {

using mamori::crypto::Aead;
using mamori::crypto::AeadKey;
using mamori::crypto::AeadKeyId;

constexpr std::string_view kFuzzAad = "mamori-fuzz";

AeadKey FuzzKey() {
  std::array<uint8_t, AeadKeyId::kSize> id;
  id.fill(0x11);
  std::array<uint8_t, AeadKey::kSize> bytes;
  bytes.fill(0x22);
  return std::move(AeadKey::Import(AeadKeyId(id), bytes)).value();
}

}  // namespace

MAMORI_FUZZ_TARGET(data, size) {
  static const AeadKey key = FuzzKey();
  std::span<const uint8_t> input(data, size);
  auto key_id = Aead::EnvelopeKeyId(input);
  auto opened = Aead::Open(key, input, mamori::crypto::AsBytes(kFuzzAad));
  MAMORI_CHECK(!opened.ok());
  // Open reports a header EnvelopeKeyId cannot parse as kInvalidArgument too.
  MAMORI_CHECK(key_id.ok() || opened.status().code() == mamori::core::StatusCode::kInvalidArgument);
}

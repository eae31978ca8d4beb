// SPDX-License-Identifier: Apache-2.0
// Fuzz target for DecodeBody on arbitrary plaintext (STYLE.md rule 32): the
// AEAD tag makes a tampered body fail before it is decoded, but the decoder
// must hold on its own (a stolen key, a bug in a writer). It must never crash,
// never return more than its limit, and what it returns must survive an
// encode/decode round trip.
//
// Corpus (body_codec_corpus/): a compressed Observation, the same truncated,
// with a trailing byte, a frame without its content size, a frame declaring
// 2^40 bytes, an identity-prefixed body, an old plain JSON body, a reserved
// codec byte and an empty body; written by body_codec_corpus/make_corpus.sh.

#include <string>
#include <string_view>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "store/internal/body_codec.h"

MAMORI_FUZZ_TARGET(data, size) {
  constexpr size_t kLimit = size_t{1} << 20;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoded = mamori::store::internal::DecodeBody(input, kLimit);
  if (!decoded.ok()) {
    MAMORI_CHECK(decoded.status().code() == mamori::core::StatusCode::kDataLoss);
    return;
  }
  MAMORI_CHECK(decoded->size() <= kLimit);
  std::string again = mamori::store::internal::EncodeBody(*decoded);
  auto twice = mamori::store::internal::DecodeBody(again, kLimit + 1);
  MAMORI_CHECK(twice.ok() && *twice == *decoded);
}

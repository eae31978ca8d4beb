// SPDX-License-Identifier: Apache-2.0
// Fuzz target for JWS and JWK parsing (STYLE.md rule 32): client assertions
// arrive from any system at /oauth2/token, and JWKs are registered by
// administrators. Nothing may crash; a token verifies only under the fixed
// corpus key it was signed with, so random bytes must never verify.
//
// Input: the first line is a JWK, the rest a compact JWS.
// Corpus (jws_corpus/): a P-256 key with a token it signed, an RSA key, a
// private JWK, a header with alg none, truncated parts.

#include <string_view>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "crypto/jws.h"

namespace crypto = mamori::crypto;

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view jwk = input.substr(0, newline);
  std::string_view token = newline == std::string_view::npos ? "" : input.substr(newline + 1);
  auto key = crypto::JwkPublicKey::Parse(jwk);
  if (!key.ok()) {
    MAMORI_CHECK(key.status().code() == mamori::core::StatusCode::kInvalidArgument);
    return;
  }
  auto verified = crypto::VerifyCompactJws(token, {&*key, 1});
  if (verified.ok()) MAMORI_CHECK(key->Accepts(verified->alg));
}

// SPDX-License-Identifier: Apache-2.0
#pragma once

// Verification of compact JWS (RFC 7515) against JWK public keys (RFC 7517),
// for OAuth private_key_jwt client authentication as SMART Backend Services
// uses it (issue 7): a system signs a short-lived JWT with its private key,
// mamori checks it with the public key registered for that client.
//
// Algorithms: ES256, ES384 (ECDSA P-256/P-384, raw r||s signatures per
// RFC 7518 section 3.4) and RS256, RS384 (RSASSA-PKCS1-v1_5, RSA keys of 2048
// bits or more). SMART requires servers to accept ES384 and RS384. "none",
// HMAC algorithms and any alg that does not match the key's type are refused:
// the key decides what may verify, never the token's header (the classic
// alg-confusion attack).
//
// This module checks the signature only; the claims (iss, sub, aud, exp,
// jti) are the OAuth code's (auth).
//
//   MAMORI_ASSIGN_OR_RETURN(crypto::JwkPublicKey key, crypto::JwkPublicKey::Parse(jwk_json));
//   MAMORI_ASSIGN_OR_RETURN(crypto::VerifiedJws jws, crypto::VerifyCompactJws(token, {&key, 1}));
//   // jws.payload is the claims JSON, authenticated
//
// Thread-safety: a JwkPublicKey may be shared read-only; functions are pure.

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

struct evp_pkey_st;  // EVP_PKEY, kept out of this header

namespace mamori::crypto {

class JwkPublicKey {
 public:
  // One JWK object: {"kty":"EC","crv":"P-384","x":..,"y":..,"kid":..} or
  // {"kty":"RSA","n":..,"e":..,"kid":..}. Private members ("d", ...) are
  // refused: a registered client key must be public only.
  // Errors: kInvalidArgument naming the member that is wrong.
  static core::Result<JwkPublicKey> Parse(std::string_view jwk_json);

  JwkPublicKey(JwkPublicKey&&) noexcept;
  JwkPublicKey& operator=(JwkPublicKey&&) noexcept;
  ~JwkPublicKey();

  const std::string& kid() const { return kid_; }
  // "EC" or "RSA".
  const std::string& kty() const { return kty_; }
  // The algorithms this key verifies: {"ES256"} for P-256, {"ES384"} for
  // P-384, {"RS256","RS384"} for RSA.
  bool Accepts(std::string_view alg) const;

 private:
  JwkPublicKey() = default;
  friend core::Result<struct VerifiedJws> VerifyCompactJws(std::string_view,
                                                           std::span<const JwkPublicKey>);
  struct PkeyFree {
    void operator()(evp_pkey_st* p) const;
  };
  std::unique_ptr<evp_pkey_st, PkeyFree> pkey_;
  std::string kid_;
  std::string kty_;
  std::string crv_;
};

struct VerifiedJws {
  std::string alg;
  std::string kid;
  std::string header;   // decoded JSON
  std::string payload;  // decoded bytes (JSON claims for a JWT)
};

// Verifies `compact` (header.payload.signature) with the key whose kid
// matches the header's kid, or, when the header has no kid, with the only
// key given. Errors: kInvalidArgument for a malformed token;
// kUnauthenticated for no matching key, a refused alg or a bad signature.
core::Result<VerifiedJws> VerifyCompactJws(std::string_view compact,
                                           std::span<const JwkPublicKey> keys);

// The payload of `compact` WITHOUT verifying anything: only to read the
// issuer that says which registered keys to verify it with. Never trust what
// it returns. Errors: kInvalidArgument for a malformed token.
core::Result<std::string> UnverifiedJwsPayload(std::string_view compact);

}  // namespace mamori::crypto

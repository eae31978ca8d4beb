// SPDX-License-Identifier: Apache-2.0
#pragma once

// Test-only: a signing key made by the openssl command line (a real peer,
// not our own code), its public JWK, and compact JWS signed through
// `openssl dgst -sign`. For the JWS and private_key_jwt tests.
//
//   crypto::testing::OpensslKey key("P-384", "kid-1");
//   std::string token = key.Sign("ES384", R"({"iss":"lab"})", "sha384");
//   auto jwk = crypto::JwkPublicKey::Parse(key.jwk());

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mamori::crypto::testing {

// base64url without padding.
std::string B64Url(std::span<const uint8_t> bytes);
std::string B64Url(std::string_view text);

class OpensslKey {
 public:
  // kind: "P-256", "P-384", or an RSA size such as "2048".
  OpensslKey(std::string kind, std::string kid);
  // header.payload.signature with `alg` and the kid in the header; `digest`
  // names openssl's digest (sha256, sha384).
  std::string Sign(std::string_view alg, std::string_view payload, std::string digest) const;
  const std::string& jwk() const { return jwk_; }

 private:
  std::string DerToRaw(const std::string& der) const;
  std::string dir_, kid_, key_, jwk_;
  size_t ec_half_ = 0;
};

}  // namespace mamori::crypto::testing

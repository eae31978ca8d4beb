// SPDX-License-Identifier: Apache-2.0
#include "crypto/jws.h"

#include <boost/json.hpp>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "crypto/internal/base64.h"
#include "crypto/internal/openssl_util.h"

namespace mamori::crypto {
namespace {

namespace json = boost::json;
using internal::Base64UrlDecodeUnpadded;

constexpr size_t kMaxJwsSize = 16 * 1024;  // client assertions are a few hundred bytes
constexpr int kMinRsaBits = 2048;

using ParamBldPtr = internal::OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = internal::OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using EcdsaSigPtr = internal::OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;

std::optional<std::string> Member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

core::Result<std::vector<uint8_t>> B64Member(const json::object& o, std::string_view name) {
  std::optional<std::string> text = Member(o, name);
  if (!text)
    return core::InvalidArgumentError("JWK needs the member \"" + std::string(name) + "\"");
  std::optional<std::vector<uint8_t>> bytes = Base64UrlDecodeUnpadded(*text);
  if (!bytes || bytes->empty()) {
    return core::InvalidArgumentError("JWK member \"" + std::string(name) + "\" is not base64url");
  }
  return *std::move(bytes);
}

core::Result<internal::PkeyPtr> FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return core::InvalidArgumentError("JWK is not a valid public key");
  }
  internal::PkeyPtr pkey(raw);
  // fromdata does not check that an EC point is on the curve: do it here.
  internal::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) <= 0) {
    return core::InvalidArgumentError("JWK public key fails its validity check");
  }
  return pkey;
}

core::Result<internal::PkeyPtr> EcKey(const json::object& o, std::string_view crv) {
  size_t size = crv == "P-256" ? 32 : crv == "P-384" ? 48 : 0;
  if (size == 0) return core::InvalidArgumentError("JWK crv must be P-256 or P-384");
  MAMORI_ASSIGN_OR_RETURN(std::vector<uint8_t> x, B64Member(o, "x"));
  MAMORI_ASSIGN_OR_RETURN(std::vector<uint8_t> y, B64Member(o, "y"));
  if (x.size() != size || y.size() != size) {
    return core::InvalidArgumentError("JWK x and y must be the curve's coordinate size");
  }
  // The uncompressed SEC 1 point: 0x04 || x || y (sized up front: g++ -O3
  // warns falsely about growing a vector by insert here).
  std::vector<uint8_t> point(1 + 2 * size);
  point[0] = 0x04;
  std::copy(x.begin(), x.end(), point.begin() + 1);
  std::copy(y.begin(), y.end(), point.begin() + 1 + static_cast<std::ptrdiff_t>(size));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  std::string group = crv == "P-256" ? "P-256" : "P-384";
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    return core::InternalError("OpenSSL could not build EC parameters");
  }
  return FromParams("EC", bld.get());
}

core::Result<internal::PkeyPtr> RsaKey(const json::object& o) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<uint8_t> n, B64Member(o, "n"));
  MAMORI_ASSIGN_OR_RETURN(std::vector<uint8_t> e, B64Member(o, "e"));
  internal::BnPtr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  internal::BnPtr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  if (!bn_n || !bn_e) return core::InternalError("OpenSSL could not read the RSA key");
  if (BN_num_bits(bn_n.get()) < kMinRsaBits) {
    return core::InvalidArgumentError("JWK RSA keys must be 2048 bits or more");
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return core::InternalError("OpenSSL could not build RSA parameters");
  }
  return FromParams("RSA", bld.get());
}

core::Result<json::object> ParseObject(std::string_view text, const char* what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return core::InvalidArgumentError(std::string(what) + " is not a JSON object");
  }
  return std::move(v.as_object());
}

// JWS ECDSA signatures are r||s; OpenSSL verifies DER.
core::Result<std::vector<uint8_t>> EcdsaRawToDer(std::span<const uint8_t> raw, size_t half) {
  if (raw.size() != 2 * half) return core::UnauthenticatedError("JWS signature has the wrong size");
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return core::InternalError("OpenSSL could not build the ECDSA signature");
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  std::vector<uint8_t> der(static_cast<size_t>(std::max(len, 0)));
  uint8_t* out = der.data();
  if (len <= 0 || i2d_ECDSA_SIG(sig.get(), &out) != len) {
    return core::InternalError("OpenSSL could not encode the ECDSA signature");
  }
  return der;
}

}  // namespace

void JwkPublicKey::PkeyFree::operator()(evp_pkey_st* p) const { EVP_PKEY_free(p); }
JwkPublicKey::JwkPublicKey(JwkPublicKey&&) noexcept = default;
JwkPublicKey& JwkPublicKey::operator=(JwkPublicKey&&) noexcept = default;
JwkPublicKey::~JwkPublicKey() = default;

core::Result<JwkPublicKey> JwkPublicKey::Parse(std::string_view jwk_json) {
  if (jwk_json.size() > kMaxJwsSize) return core::InvalidArgumentError("JWK is too large");
  MAMORI_ASSIGN_OR_RETURN(json::object o, ParseObject(jwk_json, "JWK"));
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
    if (o.contains(secret)) {
      return core::InvalidArgumentError("JWK holds private key material; register the public key");
    }
  }
  JwkPublicKey key;
  key.kty_ = Member(o, "kty").value_or("");
  key.kid_ = Member(o, "kid").value_or("");
  internal::PkeyPtr pkey;
  if (key.kty_ == "EC") {
    key.crv_ = Member(o, "crv").value_or("");
    MAMORI_ASSIGN_OR_RETURN(pkey, EcKey(o, key.crv_));
  } else if (key.kty_ == "RSA") {
    MAMORI_ASSIGN_OR_RETURN(pkey, RsaKey(o));
  } else {
    return core::InvalidArgumentError("JWK kty must be EC or RSA");
  }
  key.pkey_.reset(pkey.release());
  return key;
}

bool JwkPublicKey::Accepts(std::string_view alg) const {
  if (kty_ == "EC")
    return (crv_ == "P-256" && alg == "ES256") || (crv_ == "P-384" && alg == "ES384");
  if (kty_ == "RSA") return alg == "RS256" || alg == "RS384";
  return false;
}

core::Result<VerifiedJws> VerifyCompactJws(std::string_view compact,
                                           std::span<const JwkPublicKey> keys) {
  if (compact.size() > kMaxJwsSize) return core::InvalidArgumentError("JWS is too large");
  size_t dot1 = compact.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos) {
    return core::InvalidArgumentError("JWS must have three dot-separated parts");
  }
  auto header_bytes = Base64UrlDecodeUnpadded(compact.substr(0, dot1));
  auto payload_bytes = Base64UrlDecodeUnpadded(compact.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecodeUnpadded(compact.substr(dot2 + 1));
  if (!header_bytes || !payload_bytes || !signature) {
    return core::InvalidArgumentError("JWS parts must be base64url without padding");
  }
  VerifiedJws out;
  out.header.assign(header_bytes->begin(), header_bytes->end());
  MAMORI_ASSIGN_OR_RETURN(json::object header, ParseObject(out.header, "JWS header"));
  if (header.contains("crit"))
    return core::InvalidArgumentError("JWS crit headers are not supported");
  out.alg = Member(header, "alg").value_or("");
  out.kid = Member(header, "kid").value_or("");
  const JwkPublicKey* key = nullptr;
  for (const JwkPublicKey& k : keys) {
    if ((!out.kid.empty() && k.kid() == out.kid) || (out.kid.empty() && keys.size() == 1)) key = &k;
  }
  if (key == nullptr) return core::UnauthenticatedError("no registered key matches the JWS kid");
  if (!key->Accepts(out.alg)) {
    return core::UnauthenticatedError("JWS alg is not one this key verifies");
  }
  const EVP_MD* md = out.alg.ends_with("256") ? EVP_sha256() : EVP_sha384();
  std::vector<uint8_t> sig(signature->begin(), signature->end());
  if (key->kty() == "EC") {
    MAMORI_ASSIGN_OR_RETURN(sig, EcdsaRawToDer(*signature, out.alg == "ES256" ? 32 : 48));
  }
  std::string_view signing_input = compact.substr(0, dot2);
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key->pkey_.get()) <= 0) {
    return core::InternalError("OpenSSL could not start verifying");
  }
  int ok = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(),
                            reinterpret_cast<const uint8_t*>(signing_input.data()),
                            signing_input.size());
  if (ok != 1) return core::UnauthenticatedError("JWS signature does not verify");
  out.payload.assign(payload_bytes->begin(), payload_bytes->end());
  return out;
}

core::Result<std::string> UnverifiedJwsPayload(std::string_view compact) {
  if (compact.size() > kMaxJwsSize) return core::InvalidArgumentError("JWS is too large");
  size_t dot1 = compact.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) {
    return core::InvalidArgumentError("JWS must have three dot-separated parts");
  }
  auto payload = Base64UrlDecodeUnpadded(compact.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return core::InvalidArgumentError("JWS payload is not base64url");
  return std::string(payload->begin(), payload->end());
}

}  // namespace mamori::crypto

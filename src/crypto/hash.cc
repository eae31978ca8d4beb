// SPDX-License-Identifier: Apache-2.0
#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "core/check.h"
#include "crypto/internal/openssl_util.h"

namespace mamori::crypto {
namespace {

using internal::CheckOpenSsl;

// OSSL_PARAM wants non-const pointers even for inputs it only reads.
OSSL_PARAM OctetParam(const char* name, std::span<const uint8_t> bytes) {
  return OSSL_PARAM_construct_octet_string(name, const_cast<uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

Sha256Digest Sha256(std::span<const uint8_t> data) {
  Sha256Digest out;
  unsigned int size = 0;
  CheckOpenSsl(
      EVP_Digest(data.data(), data.size(), out.data(), &size, internal::Sha256Md(), nullptr) == 1 &&
          size == out.size(),
      "EVP_Digest SHA-256");
  return out;
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  CheckOpenSsl(ctx_ != nullptr && EVP_DigestInit_ex2(ctx_, internal::Sha256Md(), nullptr) == 1,
               "EVP_DigestInit_ex2 SHA-256");
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(ctx_); }

void Sha256Hasher::Update(std::span<const uint8_t> data) {
  MAMORI_CHECK(!finished_);  // Update after Finish would hash a different message
  CheckOpenSsl(EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1, "EVP_DigestUpdate");
}

Sha256Digest Sha256Hasher::Finish() {
  MAMORI_CHECK(!finished_);
  finished_ = true;
  Sha256Digest out;
  unsigned int size = 0;
  CheckOpenSsl(EVP_DigestFinal_ex(ctx_, out.data(), &size) == 1 && size == out.size(),
               "EVP_DigestFinal_ex");
  return out;
}

HmacKey HmacKey::Generate(core::Random& random) {
  SecureBytes bytes(kGeneratedSize);
  random.Fill(bytes.mutable_span());
  return HmacKey(std::move(bytes));
}

core::Result<HmacKey> HmacKey::Import(std::span<const uint8_t> key) {
  if (key.empty()) return core::InvalidArgumentError("HMAC key is empty");
  return HmacKey(SecureBytes(key));
}

std::span<const uint8_t> HmacKey::ExportKeyBytes() const {
  MAMORI_CHECK(!bytes_.empty());  // a moved-from key
  return bytes_.span();
}

HmacSha256Tag HmacSha256(const HmacKey& key, std::span<const uint8_t> message) {
  std::span<const uint8_t> key_bytes = key.ExportKeyBytes();
  internal::MacCtxPtr ctx(EVP_MAC_CTX_new(internal::HmacMac()));
  CheckOpenSsl(ctx != nullptr, "EVP_MAC_CTX_new");
  char digest[] = "SHA2-256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  HmacSha256Tag tag;
  size_t size = 0;
  CheckOpenSsl(EVP_MAC_init(ctx.get(), key_bytes.data(), key_bytes.size(), params) == 1 &&
                   EVP_MAC_update(ctx.get(), message.data(), message.size()) == 1 &&
                   EVP_MAC_final(ctx.get(), tag.data(), &size, tag.size()) == 1 &&
                   size == tag.size(),
               "HMAC-SHA-256");
  return tag;
}

bool VerifyHmacSha256(const HmacKey& key, std::span<const uint8_t> message,
                      std::span<const uint8_t> tag) {
  // Refuse short truncations: a 1-byte "tag" would be forged in 256 tries.
  if (tag.size() < kMinHmacTagSize || tag.size() > kSha256Size) return false;
  HmacSha256Tag expected = HmacSha256(key, message);
  return ConstantTimeEquals(std::span<const uint8_t>(expected).first(tag.size()), tag);
}

core::Result<SecureBytes> HkdfSha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                                     std::span<const uint8_t> info, size_t length) {
  if (length == 0 || length > kMaxHkdfSha256Size) {
    return core::InvalidArgumentError("HKDF-SHA-256 output length " + std::to_string(length) +
                                      " is outside 1.." + std::to_string(kMaxHkdfSha256Size));
  }
  if (ikm.empty()) return core::InvalidArgumentError("HKDF input keying material is empty");
  internal::KdfCtxPtr ctx(EVP_KDF_CTX_new(internal::HkdfKdf()));
  CheckOpenSsl(ctx != nullptr, "EVP_KDF_CTX_new");
  char digest[] = "SHA2-256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OctetParam(OSSL_KDF_PARAM_KEY, ikm);
  // An absent salt is HashLen zero bytes (RFC 5869 section 2.2); OpenSSL does
  // that when the parameter is left out.
  if (!salt.empty()) params[n++] = OctetParam(OSSL_KDF_PARAM_SALT, salt);
  params[n++] = OctetParam(OSSL_KDF_PARAM_INFO, info);
  params[n] = OSSL_PARAM_construct_end();
  SecureBytes okm(length);
  CheckOpenSsl(EVP_KDF_derive(ctx.get(), okm.data(), okm.size(), params) == 1,
               "EVP_KDF_derive HKDF-SHA-256");
  return okm;
}

}  // namespace mamori::crypto

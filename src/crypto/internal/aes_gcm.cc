// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/aes_gcm.h"

#include <algorithm>
#include <array>
#include <string>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/check.h"
#include "crypto/internal/openssl_util.h"

namespace mamori::crypto::internal {
namespace {

core::Status CheckSizes(ByteSpan iv, std::span<const ByteSpan> aad, size_t text_size) {
  // A zero-length IV is outside GCM's definition (Wycheproof marks it
  // invalid); OpenSSL 3.0 cannot hold more than 128 IV bytes.
  if (iv.empty() || iv.size() > kGcmMaxIvSize) {
    return core::InvalidArgumentError("AES-GCM IV of " + std::to_string(iv.size()) +
                                      " bytes is outside 1.." + std::to_string(kGcmMaxIvSize));
  }
  if (!FitsInt(text_size)) return core::InvalidArgumentError("AES-GCM input too long");
  for (ByteSpan piece : aad) {
    if (!FitsInt(piece.size())) return core::InvalidArgumentError("AES-GCM AAD too long");
  }
  return core::Status::Ok();
}

// Sets the cipher, IV length, key and IV, then feeds every AAD piece.
bool InitAndAuthenticate(EVP_CIPHER_CTX* ctx, int encrypt, ByteSpan key, ByteSpan iv,
                         std::span<const ByteSpan> aad) {
  size_t iv_size = iv.size();
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &iv_size),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_CipherInit_ex2(ctx, Aes256GcmCipher(), nullptr, nullptr, encrypt, params) != 1 ||
      EVP_CipherInit_ex2(ctx, nullptr, key.data(), iv.data(), encrypt, nullptr) != 1) {
    return false;
  }
  for (ByteSpan piece : aad) {
    int ignored = 0;
    if (piece.empty()) continue;
    if (EVP_CipherUpdate(ctx, nullptr, &ignored, piece.data(), static_cast<int>(piece.size())) !=
        1) {
      return false;
    }
  }
  return true;
}

// Runs the cipher over `in` into `out` (same length). Empty input is a no-op.
bool Transform(EVP_CIPHER_CTX* ctx, ByteSpan in, uint8_t* out) {
  if (in.empty()) return true;
  int written = 0;
  return EVP_CipherUpdate(ctx, out, &written, in.data(), static_cast<int>(in.size())) == 1 &&
         static_cast<size_t>(written) == in.size();
}

OSSL_PARAM TagParam(uint8_t* tag) {
  return OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, kGcmTagSize);
}

}  // namespace

core::Status Aes256GcmEncryptInto(ByteSpan key, ByteSpan iv, std::span<const ByteSpan> aad,
                                  ByteSpan msg, std::span<uint8_t> out) {
  MAMORI_CHECK(key.size() == kAes256KeySize);
  MAMORI_CHECK(out.size() == msg.size() + kGcmTagSize);
  MAMORI_RETURN_IF_ERROR(CheckSizes(iv, aad, msg.size()));
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  CheckOpenSsl(ctx != nullptr, "EVP_CIPHER_CTX_new");
  int final_size = 0;
  OSSL_PARAM get_tag[] = {TagParam(out.data() + msg.size()), OSSL_PARAM_construct_end()};
  if (!InitAndAuthenticate(ctx.get(), 1, key, iv, aad) || !Transform(ctx.get(), msg, out.data()) ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + msg.size(), &final_size) != 1 ||
      final_size != 0 || EVP_CIPHER_CTX_get_params(ctx.get(), get_tag) != 1) {
    return OpenSslError("AES-256-GCM encrypt");
  }
  return core::Status::Ok();
}

core::Result<SecureBytes> Aes256GcmDecryptPieces(ByteSpan key, ByteSpan iv,
                                                 std::span<const ByteSpan> aad,
                                                 ByteSpan ct_and_tag) {
  MAMORI_CHECK(key.size() == kAes256KeySize);
  if (ct_and_tag.size() < kGcmTagSize) return core::DataLossError("AES-GCM input shorter than tag");
  ByteSpan ciphertext = ct_and_tag.first(ct_and_tag.size() - kGcmTagSize);
  std::array<uint8_t, kGcmTagSize> tag;
  std::copy(ct_and_tag.end() - kGcmTagSize, ct_and_tag.end(), tag.begin());
  MAMORI_RETURN_IF_ERROR(CheckSizes(iv, aad, ciphertext.size()));
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  CheckOpenSsl(ctx != nullptr, "EVP_CIPHER_CTX_new");
  OSSL_PARAM set_tag[] = {TagParam(tag.data()), OSSL_PARAM_construct_end()};
  SecureBytes plaintext(ciphertext.size());
  if (!InitAndAuthenticate(ctx.get(), 0, key, iv, aad) ||
      !Transform(ctx.get(), ciphertext, plaintext.data()) ||
      EVP_CIPHER_CTX_set_params(ctx.get(), set_tag) != 1) {
    plaintext.Clear();
    return OpenSslError("AES-256-GCM decrypt");
  }
  // GCM writes plaintext before it can check the tag. Only after Final accepts
  // the tag may the bytes leave; otherwise they are wiped here (STYLE rule 19).
  std::array<uint8_t, kGcmTagSize> unused;  // GCM's Final writes nothing
  int final_size = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), unused.data(), &final_size) != 1 || final_size != 0) {
    plaintext.Clear();
    ClearOpenSslErrors();
    return core::DataLossError("AES-GCM authentication failed");
  }
  return plaintext;
}

core::Result<std::vector<uint8_t>> Aes256GcmEncrypt(ByteSpan key, ByteSpan iv, ByteSpan aad,
                                                    ByteSpan msg) {
  std::vector<uint8_t> out(msg.size() + kGcmTagSize);
  std::array<ByteSpan, 1> pieces = {aad};
  MAMORI_RETURN_IF_ERROR(Aes256GcmEncryptInto(key, iv, pieces, msg, out));
  return out;
}

core::Result<SecureBytes> Aes256GcmDecrypt(ByteSpan key, ByteSpan iv, ByteSpan aad,
                                           ByteSpan ct_and_tag) {
  std::array<ByteSpan, 1> pieces = {aad};
  return Aes256GcmDecryptPieces(key, iv, pieces, ct_and_tag);
}

}  // namespace mamori::crypto::internal

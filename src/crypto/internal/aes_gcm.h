// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to crypto: include "crypto/aead.h" instead.
//
// Raw AES-256-GCM (NIST SP 800-38D) over OpenSSL EVP, with caller-supplied IVs.
// Aead::Seal/Open build the envelope on top of these; the Wycheproof tests call
// them directly because the vectors fix the IV. Nothing outside crypto may
// choose a GCM IV: reusing one under a key reveals the authentication key.
//
//   std::array<ByteSpan, 2> aad = {header, caller_aad};
//   MAMORI_RETURN_IF_ERROR(Aes256GcmEncryptInto(key, nonce, aad, msg, out));
//   MAMORI_ASSIGN_OR_RETURN(SecureBytes pt, Aes256GcmDecryptPieces(key, nonce, aad, ct_and_tag));
//
// Thread-safety: pure functions; each call uses its own EVP_CIPHER_CTX.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto::internal {

using ByteSpan = std::span<const uint8_t>;

inline constexpr size_t kAes256KeySize = 32;
inline constexpr size_t kGcmTagSize = 16;
// OpenSSL 3.0 accepts GCM IVs of 1 to 128 bytes (GCM_IV_MAX_SIZE = 1024 bits).
inline constexpr size_t kGcmMaxIvSize = 128;

// Encrypts `msg` and writes ciphertext (msg.size() bytes) followed by the
// 16-byte tag into `out`. The AAD is the concatenation of the `aad` pieces.
// REQUIRES: key.size() == 32; out.size() == msg.size() + 16.
// Errors: kInvalidArgument if the IV is empty or longer than kGcmMaxIvSize, or
// if msg or an AAD piece is longer than INT_MAX bytes; kInternal if OpenSSL fails.
core::Status Aes256GcmEncryptInto(ByteSpan key, ByteSpan iv, std::span<const ByteSpan> aad,
                                  ByteSpan msg, std::span<uint8_t> out);

// Verifies the tag at the end of `ct_and_tag` and returns the plaintext. The
// plaintext is decrypted into a SecureBytes that is wiped unless the tag
// verifies, so the caller never sees unauthenticated bytes (STYLE.md rule 19).
// REQUIRES: key.size() == 32.
// Errors: kDataLoss if the input is shorter than the tag or the tag does not
// verify (wrong key, IV, AAD, ciphertext or tag); kInvalidArgument for an IV
// as in Aes256GcmEncryptInto or an input longer than INT_MAX bytes.
core::Result<SecureBytes> Aes256GcmDecryptPieces(ByteSpan key, ByteSpan iv,
                                                 std::span<const ByteSpan> aad,
                                                 ByteSpan ct_and_tag);

// Single-AAD conveniences for tests: ct || tag, and its inverse.
core::Result<std::vector<uint8_t>> Aes256GcmEncrypt(ByteSpan key, ByteSpan iv, ByteSpan aad,
                                                    ByteSpan msg);
core::Result<SecureBytes> Aes256GcmDecrypt(ByteSpan key, ByteSpan iv, ByteSpan aad,
                                           ByteSpan ct_and_tag);

}  // namespace mamori::crypto::internal

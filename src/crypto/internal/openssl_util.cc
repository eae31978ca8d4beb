// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/openssl_util.h"

#include <cstdio>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "core/check.h"

namespace mamori::crypto::internal {
namespace {

// Fetched once; OpenSSL 3 fetches are costly enough to matter per record.
template <typename T>
T* FetchedOrDie(T* fetched, const char* name) {
  CheckOpenSsl(fetched != nullptr, name);
  return fetched;
}

}  // namespace

const EVP_CIPHER* Aes256GcmCipher() {
  static EVP_CIPHER* cipher =
      FetchedOrDie(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr), "fetch AES-256-GCM");
  return cipher;
}

const EVP_MD* Sha256Md() {
  static EVP_MD* md = FetchedOrDie(EVP_MD_fetch(nullptr, "SHA2-256", nullptr), "fetch SHA-256");
  return md;
}

EVP_MAC* HmacMac() {
  static EVP_MAC* mac = FetchedOrDie(EVP_MAC_fetch(nullptr, "HMAC", nullptr), "fetch HMAC");
  return mac;
}

EVP_KDF* HkdfKdf() {
  static EVP_KDF* kdf = FetchedOrDie(EVP_KDF_fetch(nullptr, "HKDF", nullptr), "fetch HKDF");
  return kdf;
}

void CheckOpenSsl(bool ok, const char* what, std::source_location where) {
  if (ok) [[likely]] {
    return;
  }
  ERR_print_errors_fp(stderr);
  core::internal::CheckFailed(where.file_name(), static_cast<int>(where.line()), what);
}

core::Status OpenSslError(std::string_view what) {
  unsigned long code = ERR_get_error();
  std::string message(what);
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    message += ": ";
    message += reason != nullptr ? reason : "unknown OpenSSL error";
  }
  ClearOpenSslErrors();
  return core::InternalError(std::move(message));
}

void ClearOpenSslErrors() { ERR_clear_error(); }

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return std::string();
  return std::string(data, static_cast<size_t>(size));
}

BioPtr ReadOnlyBio(std::string_view text) {
  MAMORI_CHECK(text.size() <= kMaxPemSize);
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  CheckOpenSsl(bio != nullptr, "BIO_new_mem_buf");
  return bio;
}

SecureBytes WritePrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  CheckOpenSsl(bio != nullptr && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                                          nullptr, nullptr) == 1,
               "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  CheckOpenSsl(size > 0 && data != nullptr, "BIO_get_mem_data");
  return SecureBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(size)));
}

core::Result<PkeyPtr> ReadPrivateKeyPem(std::string_view pem) {
  if (pem.size() > kMaxPemSize) return core::InvalidArgumentError("private key PEM too large");
  BioPtr bio = ReadOnlyBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ClearOpenSslErrors();
  if (key == nullptr) return core::InvalidArgumentError("not a private key PEM");
  return key;
}

}  // namespace mamori::crypto::internal

// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to crypto: include "crypto/aead.h", "crypto/hash.h",
// "crypto/signature.h" or "crypto/x509.h" instead.
//
// Small RAII owners for OpenSSL objects, the algorithms crypto fetches once per
// process, and the helpers that turn OpenSSL's error queue into a core::Status.
//
// Thread-safety: the fetched algorithm objects (EVP_CIPHER, EVP_MD, EVP_MAC,
// EVP_KDF) are immutable after the first call and may be shared by threads;
// each owner type below is a plain unique_ptr.

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/status.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto::internal {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using BnPtr = OpenSslPtr<BIGNUM, BN_clear_free>;
using CipherCtxPtr = OpenSslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EcGroupPtr = OpenSslPtr<EC_GROUP, EC_GROUP_free>;
using EcPointPtr = OpenSslPtr<EC_POINT, EC_POINT_free>;
using KdfCtxPtr = OpenSslPtr<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using MacCtxPtr = OpenSslPtr<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using MdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using PkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using PkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509CrlPtr = OpenSslPtr<X509_CRL, X509_CRL_free>;
using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1TimePtr = OpenSslPtr<ASN1_TIME, ASN1_TIME_free>;
using AuthorityKeyIdPtr = OpenSslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using CrlDistPointsPtr = OpenSslPtr<CRL_DIST_POINTS, CRL_DIST_POINTS_free>;
using X509NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using GeneralNamesPtr = OpenSslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;

// Algorithms fetched from the default provider once per process. A failed
// fetch means the OpenSSL installation is broken: these abort.
const EVP_CIPHER* Aes256GcmCipher();
const EVP_MD* Sha256Md();
EVP_MAC* HmacMac();
EVP_KDF* HkdfKdf();

// Aborts with the OpenSSL error queue on stderr when `ok` is false. Only for
// calls that cannot fail on valid arguments except by running out of memory or
// a broken library, which mamori treats like std::bad_alloc (fatal).
void CheckOpenSsl(bool ok, const char* what,
                  std::source_location where = std::source_location::current());

// Clears the OpenSSL error queue and returns kInternal naming `what` and the
// first queued reason, e.g. "EVP_EncryptInit_ex: unsupported".
core::Status OpenSslError(std::string_view what);

// Drains the thread's OpenSSL error queue. Call after an expected failure (a
// rejected tag, an unparsable PEM) so stale errors do not confuse later calls.
void ClearOpenSslErrors();

// True when n fits the `int` length parameters of the EVP APIs.
inline bool FitsInt(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

// The bytes written to a memory BIO so far, as a string.
std::string BioContents(BIO* bio);

// A read-only memory BIO over `text`, which must outlive the BIO.
// REQUIRES: text.size() <= kMaxPemSize.
BioPtr ReadOnlyBio(std::string_view text);

// PEM inputs larger than this are not keys or certificates; refusing them
// keeps the int-sized BIO lengths safe.
inline constexpr size_t kMaxPemSize = 1 << 20;

// Writes `key` as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY") through a
// secure-heap BIO, which is cleared when freed.
SecureBytes WritePrivateKeyPem(EVP_PKEY* key);

// Parses an unencrypted PKCS#8 (or traditional) private key PEM.
// Errors: kInvalidArgument if it does not parse or is over kMaxPemSize.
core::Result<PkeyPtr> ReadPrivateKeyPem(std::string_view pem);

}  // namespace mamori::crypto::internal

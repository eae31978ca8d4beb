// SPDX-License-Identifier: Apache-2.0
#include "crypto/signature.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/check.h"
#include "crypto/internal/openssl_util.h"

namespace mamori::crypto {
namespace {

using internal::CheckOpenSsl;

internal::SharedPkey Share(EVP_PKEY* key) { return internal::SharedPkey(key, EVP_PKEY_free); }

core::Result<internal::SharedPkey> Ed25519Only(internal::SharedPkey key) {
  if (!EVP_PKEY_is_a(key.get(), "ED25519")) {
    return core::InvalidArgumentError("PEM key is not an Ed25519 key");
  }
  return key;
}

core::Result<internal::SharedPkey> ReadPublicPem(std::string_view pem) {
  if (pem.size() > internal::kMaxPemSize) return core::InvalidArgumentError("PEM too large");
  internal::BioPtr bio = internal::ReadOnlyBio(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  internal::ClearOpenSslErrors();
  if (key == nullptr) return core::InvalidArgumentError("not a public key PEM");
  return Ed25519Only(Share(key));
}

}  // namespace

core::Result<VerifyingKey> VerifyingKey::Import(std::span<const uint8_t> raw) {
  if (raw.size() != kSize) {
    return core::InvalidArgumentError("Ed25519 public key must be 32 bytes, got " +
                                      std::to_string(raw.size()));
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size());
  CheckOpenSsl(key != nullptr, "EVP_PKEY_new_raw_public_key");
  return VerifyingKey(Share(key));
}

core::Result<VerifyingKey> VerifyingKey::FromPem(std::string_view pem) {
  MAMORI_ASSIGN_OR_RETURN(internal::SharedPkey key, ReadPublicPem(pem));
  return VerifyingKey(std::move(key));
}

std::array<uint8_t, VerifyingKey::kSize> VerifyingKey::Raw() const {
  std::array<uint8_t, kSize> raw;
  size_t size = raw.size();
  CheckOpenSsl(
      EVP_PKEY_get_raw_public_key(key_.get(), raw.data(), &size) == 1 && size == raw.size(),
      "EVP_PKEY_get_raw_public_key");
  return raw;
}

std::string VerifyingKey::ToPem() const {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  CheckOpenSsl(bio != nullptr && PEM_write_bio_PUBKEY(bio.get(), key_.get()) == 1,
               "PEM_write_bio_PUBKEY");
  return internal::BioContents(bio.get());
}

bool VerifyingKey::Verify(std::span<const uint8_t> message,
                          std::span<const uint8_t> signature) const {
  if (signature.size() != kEd25519SignatureSize) return false;
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  CheckOpenSsl(ctx != nullptr, "EVP_MD_CTX_new");
  // Ed25519 is "pure": no separate digest, the whole message in one call.
  CheckOpenSsl(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1,
               "EVP_DigestVerifyInit Ed25519");
  bool valid = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                                message.size()) == 1;
  internal::ClearOpenSslErrors();
  return valid;
}

SigningKey SigningKey::Generate(core::Random& random) {
  SecureBytes seed(kSeedSize);
  random.Fill(seed.mutable_span());
  return std::move(Import(seed.span())).value();  // 32 bytes: cannot fail
}

core::Result<SigningKey> SigningKey::Import(std::span<const uint8_t> seed) {
  if (seed.size() != kSeedSize) {
    return core::InvalidArgumentError("Ed25519 private key must be 32 bytes, got " +
                                      std::to_string(seed.size()));
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
  CheckOpenSsl(key != nullptr, "EVP_PKEY_new_raw_private_key");
  return SigningKey(Share(key));
}

core::Result<SigningKey> SigningKey::FromPem(std::span<const uint8_t> pem) {
  MAMORI_ASSIGN_OR_RETURN(internal::PkeyPtr key, internal::ReadPrivateKeyPem(AsStringView(pem)));
  MAMORI_ASSIGN_OR_RETURN(internal::SharedPkey shared, Ed25519Only(Share(key.release())));
  return SigningKey(std::move(shared));
}

evp_pkey_st* SigningKey::Get() const {
  MAMORI_CHECK(key_ != nullptr);  // a moved-from key
  return key_.get();
}

VerifyingKey SigningKey::PublicKey() const {
  std::array<uint8_t, VerifyingKey::kSize> raw;
  size_t size = raw.size();
  CheckOpenSsl(EVP_PKEY_get_raw_public_key(Get(), raw.data(), &size) == 1 && size == raw.size(),
               "EVP_PKEY_get_raw_public_key");
  return std::move(VerifyingKey::Import(raw)).value();  // 32 bytes: cannot fail
}

Ed25519Signature SigningKey::Sign(std::span<const uint8_t> message) const {
  EVP_PKEY* key = Get();
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  Ed25519Signature signature;
  size_t size = signature.size();
  CheckOpenSsl(
      ctx != nullptr && EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
          EVP_DigestSign(ctx.get(), signature.data(), &size, message.data(), message.size()) == 1 &&
          size == signature.size(),
      "EVP_DigestSign Ed25519");
  return signature;
}

SecureBytes SigningKey::ExportSeed() const {
  SecureBytes seed(kSeedSize);
  size_t size = seed.size();
  CheckOpenSsl(EVP_PKEY_get_raw_private_key(Get(), seed.data(), &size) == 1 && size == seed.size(),
               "EVP_PKEY_get_raw_private_key");
  return seed;
}

SecureBytes SigningKey::ToPem() const { return internal::WritePrivateKeyPem(Get()); }

}  // namespace mamori::crypto

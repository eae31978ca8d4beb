// SPDX-License-Identifier: Apache-2.0
#include "backup/keys.h"

#include <cstring>

namespace mamori::backup {
namespace {

constexpr std::string_view kAad = "mamori/backup-keys/v1";
// key id (16) | seal key (32) | chunk-id key (32) | chunker seed (32) | Ed25519 seed (32)
constexpr size_t kWrappedPlainSize = 16 + 32 * 4;

}  // namespace

BackupKeys BackupKeys::Generate(core::Random& random) {
  crypto::SecureBytes seed(32);
  random.Fill(seed.mutable_span());
  return BackupKeys{.seal = crypto::AeadKey::Generate(random),
                    .chunk_id = crypto::HmacKey::Generate(random),
                    .chunker_seed = std::move(seed),
                    .signing = crypto::SigningKey::Generate(random)};
}

core::Result<std::string> BackupKeys::Wrap(const crypto::AeadKey& kek, core::Random& random) const {
  crypto::SecureBytes plain(kWrappedPlainSize);
  uint8_t* p = plain.data();
  std::memcpy(p, seal.id().bytes().data(), 16);
  std::memcpy(p + 16, seal.ExportKeyBytes().data(), 32);
  std::memcpy(p + 48, chunk_id.ExportKeyBytes().data(), 32);
  std::memcpy(p + 80, chunker_seed.data(), 32);
  crypto::SecureBytes ed = signing.ExportSeed();
  std::memcpy(p + 112, ed.data(), 32);
  return crypto::Aead::Seal(kek, plain.span(), crypto::AsBytes(kAad), random);
}

core::Result<BackupKeys> BackupKeys::Unwrap(const crypto::AeadKey& kek, std::string_view wrapped) {
  auto plain = crypto::Aead::Open(kek, crypto::AsBytes(wrapped), crypto::AsBytes(kAad));
  if (!plain.ok()) {
    return core::DataLossError("backup keys do not open under this master key: " +
                               std::string(plain.status().message()));
  }
  if (plain->size() != kWrappedPlainSize) return core::DataLossError("backup keys have a bad size");
  const uint8_t* p = plain->data();
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKeyId id, crypto::AeadKeyId::FromBytes({p, 16}));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey seal, crypto::AeadKey::Import(id, {p + 16, 32}));
  MAMORI_ASSIGN_OR_RETURN(crypto::HmacKey chunk_id, crypto::HmacKey::Import({p + 48, 32}));
  MAMORI_ASSIGN_OR_RETURN(crypto::SigningKey signing, crypto::SigningKey::Import({p + 112, 32}));
  return BackupKeys{.seal = std::move(seal),
                    .chunk_id = std::move(chunk_id),
                    .chunker_seed = crypto::SecureBytes(std::span<const uint8_t>(p + 80, 32)),
                    .signing = std::move(signing)};
}

core::Result<AdminKey> AdminKey::FromPem(std::string_view pem) {
  MAMORI_ASSIGN_OR_RETURN(crypto::SigningKey key,
                          crypto::SigningKey::FromPem(crypto::AsBytes(pem)));
  return AdminKey{.key = std::move(key)};
}

}  // namespace mamori::backup

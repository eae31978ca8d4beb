// SPDX-License-Identifier: Apache-2.0
#include "store/internal/key_ring.h"

#include <mutex>

#include "crypto/secure_bytes.h"

namespace mamori::store::internal {

std::string KeyRing::Aad(const crypto::AeadKeyId& id, const std::string& compartment) {
  std::string aad = "mamori.dek.v1";
  aad.push_back('\0');
  aad.append(reinterpret_cast<const char*>(id.bytes().data()), id.bytes().size());
  aad += compartment;
  return aad;
}

core::Result<WrappedKey> KeyRing::Wrap(const crypto::AeadKey& kek, const crypto::AeadKey& dek,
                                       const std::string& compartment, core::Random& random) {
  std::string aad = Aad(dek.id(), compartment);
  MAMORI_ASSIGN_OR_RETURN(std::string wrapped, crypto::Aead::Seal(kek, dek.ExportKeyBytes(),
                                                                  crypto::AsBytes(aad), random));
  return WrappedKey{dek.id(), compartment, std::move(wrapped)};
}

core::Result<crypto::AeadKey> KeyRing::Unwrap(const crypto::AeadKey& kek,
                                              const WrappedKey& wrapped) {
  std::string aad = Aad(wrapped.key_id, wrapped.compartment);
  core::Result<crypto::SecureBytes> bytes =
      crypto::Aead::Open(kek, crypto::AsBytes(wrapped.wrapped), crypto::AsBytes(aad));
  if (!bytes.ok()) {
    // The wrong KEK (another installation's key file) or a tampered key row.
    return core::DataLossError(
        "data key " + wrapped.key_id.ToHex() +
        " does not unwrap under this master key: " + bytes.status().message());
  }
  return crypto::AeadKey::Import(wrapped.key_id, bytes->span());
}

void KeyRing::Remember(const std::string& compartment, KeyPtr key) {
  std::unique_lock lock(mu_);
  by_id_[key->id().ToHex()] = key;
  by_compartment_[compartment] = std::move(key);
}

core::Result<std::shared_ptr<const crypto::AeadKey>> KeyRing::ForCompartment(
    const std::string& compartment, KeyTable& table) {
  {
    std::shared_lock lock(mu_);
    auto it = by_compartment_.find(compartment);
    if (it != by_compartment_.end()) return it->second;
  }
  for (const auto& [c, key] : pending_) {
    if (c == compartment) return key;
  }
  MAMORI_ASSIGN_OR_RETURN(std::optional<WrappedKey> row, table.FindByCompartment(compartment));
  if (row) {
    MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey key, Unwrap(kek_, *row));
    auto shared = std::make_shared<const crypto::AeadKey>(std::move(key));
    Remember(compartment, shared);
    return shared;
  }
  crypto::AeadKey fresh = crypto::AeadKey::Generate(random_);
  MAMORI_ASSIGN_OR_RETURN(WrappedKey wrapped, Wrap(kek_, fresh, compartment, random_));
  MAMORI_RETURN_IF_ERROR(table.Insert(wrapped));
  auto shared = std::make_shared<const crypto::AeadKey>(std::move(fresh));
  pending_.emplace_back(compartment, shared);
  return shared;
}

core::Result<std::shared_ptr<const crypto::AeadKey>> KeyRing::ForId(const crypto::AeadKeyId& id,
                                                                    KeyTable& table) {
  {
    std::shared_lock lock(mu_);
    auto it = by_id_.find(id.ToHex());
    if (it != by_id_.end()) return it->second;
  }
  for (const auto& [c, key] : pending_) {
    if (key->id() == id) return key;
  }
  MAMORI_ASSIGN_OR_RETURN(std::optional<WrappedKey> row, table.FindById(id));
  if (!row) return core::DataLossError("no data key " + id.ToHex() + " for a stored record");
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey key, Unwrap(kek_, *row));
  auto shared = std::make_shared<const crypto::AeadKey>(std::move(key));
  Remember(row->compartment, shared);
  return shared;
}

void KeyRing::Commit() {
  for (auto& [compartment, key] : pending_) Remember(compartment, std::move(key));
  pending_.clear();
}

void KeyRing::Discard() { pending_.clear(); }

}  // namespace mamori::store::internal

// SPDX-License-Identifier: Apache-2.0
#include "store/internal/sealer.h"

#include <array>

#include <fmt/format.h>

#include "crypto/secure_bytes.h"
#include "ledger/leaf.h"
#include "store/internal/body_codec.h"

namespace mamori::store::internal {
namespace {

// Reserved compartments ('#' cannot occur in a FHIR id): each holds a random
// key wrapped by the KEK like a data key, so `mamori key rotate` rewraps them
// with the rest and none is derived from the KEK alone.
constexpr char kIndexCompartment[] = "#index";
constexpr char kIndexLabel[] = "mamori.index.hmac.v1";
constexpr char kAuditCompartment[] = "#audit";
constexpr char kSigningCompartment[] = "#ledger-signing";
constexpr char kSigningLabel[] = "mamori.ledger.signing.v1";
// The data key every record is sealed with: one per installation.
constexpr char kRecordsCompartment[] = "#records";

uint64_t MillisOf(core::Clock::WallTime t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

}  // namespace

int64_t ToMicros(core::Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

core::Clock::WallTime FromMicros(int64_t us) {
  return core::Clock::WallTime(
      std::chrono::duration_cast<core::Clock::WallTime::duration>(std::chrono::microseconds(us)));
}

std::string ResourceAad(const std::string& type, const std::string& id, int64_t version,
                        bool deleted, int64_t updated_us) {
  return fmt::format("mamori.resource.v1{}{}{}{}{}{}{}{}{}{}", '\0', type, '\0', id, '\0', version,
                     '\0', deleted ? 1 : 0, '\0', updated_us);
}

std::string RecordAad(const std::string& kind, const std::string& key, int64_t version) {
  std::string aad = "mamori.record.v1";
  aad.push_back('\0');
  aad += kind;
  aad.push_back('\0');
  aad += key;
  aad.push_back('\0');
  aad += std::to_string(version);
  return aad;
}

std::string LedgerLeafAad(uint64_t index) { return "ledger/" + std::to_string(index); }

core::Result<DerivedKeys> LoadDerivedKeys(KeyRing* ring, KeyTable& table) {
  if (ring == nullptr) {
    // Benchmark-only plaintext store: fixed keys, since nothing is secret there.
    std::array<uint8_t, 16> id{};
    std::array<uint8_t, 32> bytes{};
    MAMORI_ASSIGN_OR_RETURN(crypto::HmacKey index,
                            crypto::HmacKey::Import(crypto::AsBytes(kIndexLabel)));
    MAMORI_ASSIGN_OR_RETURN(crypto::AeadKeyId key_id, crypto::AeadKeyId::FromBytes(id));
    MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey audit, crypto::AeadKey::Import(key_id, bytes));
    MAMORI_ASSIGN_OR_RETURN(crypto::SigningKey signing, crypto::SigningKey::Import(bytes));
    return DerivedKeys{std::move(index), std::make_shared<const crypto::AeadKey>(std::move(audit)),
                       std::move(signing)};
  }
  MAMORI_ASSIGN_OR_RETURN(auto index_root, ring->ForCompartment(kIndexCompartment, table));
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes derived,
      crypto::HkdfSha256(index_root->ExportKeyBytes(), {}, crypto::AsBytes(kIndexLabel), 32));
  MAMORI_ASSIGN_OR_RETURN(crypto::HmacKey index, crypto::HmacKey::Import(derived.span()));
  MAMORI_ASSIGN_OR_RETURN(auto audit, ring->ForCompartment(kAuditCompartment, table));
  MAMORI_ASSIGN_OR_RETURN(auto signing_root, ring->ForCompartment(kSigningCompartment, table));
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes seed,
      crypto::HkdfSha256(signing_root->ExportKeyBytes(), {}, crypto::AsBytes(kSigningLabel),
                         crypto::SigningKey::kSeedSize));
  MAMORI_ASSIGN_OR_RETURN(crypto::SigningKey signing, crypto::SigningKey::Import(seed.span()));
  return DerivedKeys{std::move(index), std::move(audit), std::move(signing)};
}

std::string LogIdHex(const ledger::LogId& id) {
  std::string hex;
  for (uint8_t b : id) hex += fmt::format("{:02x}", b);
  return hex;
}

core::Result<ledger::LogId> ParseLogIdHex(const std::string& hex) {
  ledger::LogId id{};
  if (hex.size() != 2 * id.size() ||
      hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return core::DataLossError("the stored ledger log id is malformed");
  }
  for (size_t i = 0; i < id.size(); ++i) {
    id[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return id;
}

core::Result<std::string> Sealer::SealResource(const NewVersion& v, int64_t version,
                                               int64_t updated_us, const std::string& json,
                                               KeyTable& keys) {
  // Compressed before sealing when that is smaller (SCHEMA.md "Body
  // encoding"); the plaintext benchmark store encodes alike, so comparing the
  // two measures encryption alone.
  std::string plain = EncodeBody(json);
  if (ring_ == nullptr) return plain;
  MAMORI_ASSIGN_OR_RETURN(auto dek, ring_->ForCompartment(v.compartment, keys));
  std::string aad = ResourceAad(v.type, v.id, version, v.deleted, updated_us);
  return crypto::Aead::Seal(*dek, crypto::AsBytes(plain), crypto::AsBytes(aad), random_);
}

core::Result<ResourceVersion> Sealer::OpenResource(std::string type, std::string id,
                                                   int64_t version, int64_t seq, int64_t updated_us,
                                                   bool deleted, const std::string& body,
                                                   KeyTable& keys) {
  ResourceVersion v{.type = std::move(type),
                    .id = std::move(id),
                    .version = version,
                    .sequence = seq,
                    .last_updated = FromMicros(updated_us),
                    .deleted = deleted};
  if (ring_ == nullptr) {
    MAMORI_ASSIGN_OR_RETURN(v.json, DecodeBody(body));
    return v;
  }
  auto fail = [&](const core::Status& s) {
    return core::DataLossError(fmt::format("{}/{} version {} failed its integrity check: {}",
                                           v.type, v.id, version, s.message()));
  };
  core::Result<crypto::AeadKeyId> key_id = crypto::Aead::EnvelopeKeyId(crypto::AsBytes(body));
  if (!key_id.ok()) return fail(key_id.status());
  core::Result<std::shared_ptr<const crypto::AeadKey>> dek = ring_->ForId(*key_id, keys);
  if (!dek.ok()) return fail(dek.status());
  std::string aad = ResourceAad(v.type, v.id, version, deleted, updated_us);
  core::Result<crypto::SecureBytes> plain =
      crypto::Aead::Open(**dek, crypto::AsBytes(body), crypto::AsBytes(aad));
  if (!plain.ok()) return fail(plain.status());
  // Bodies sealed before compression are their JSON as is; DecodeBody
  // returns those unchanged.
  core::Result<std::string> json =
      DecodeBody(std::string_view(reinterpret_cast<const char*>(plain->data()), plain->size()));
  if (!json.ok()) return fail(json.status());
  v.json = std::move(*json);
  return v;
}

core::Result<std::string> Sealer::SealRecord(const std::string& kind, const std::string& key,
                                             int64_t version, std::string_view body,
                                             KeyTable& keys) {
  if (ring_ == nullptr) return std::string(body);
  MAMORI_ASSIGN_OR_RETURN(auto dek, ring_->ForCompartment(kRecordsCompartment, keys));
  return crypto::Aead::Seal(*dek, crypto::AsBytes(body),
                            crypto::AsBytes(RecordAad(kind, key, version)), random_);
}

core::Result<Record> Sealer::OpenRecord(std::string kind, std::string key, int64_t version,
                                        const std::string& sealed, KeyTable& keys) {
  Record r{.kind = std::move(kind), .key = std::move(key), .version = version};
  if (ring_ == nullptr) {
    r.body = sealed;
    return r;
  }
  auto fail = [&](const core::Status& s) {
    return core::DataLossError(fmt::format("{} record version {} failed its integrity check: {}",
                                           r.kind, version, s.message()));
  };
  auto key_id = crypto::Aead::EnvelopeKeyId(crypto::AsBytes(sealed));
  if (!key_id.ok()) return fail(key_id.status());
  auto dek = ring_->ForId(*key_id, keys);
  if (!dek.ok()) return fail(dek.status());
  auto plain = crypto::Aead::Open(**dek, crypto::AsBytes(sealed),
                                  crypto::AsBytes(RecordAad(r.kind, r.key, version)));
  if (!plain.ok()) return fail(plain.status());
  r.body.assign(reinterpret_cast<const char*>(plain->data()), plain->size());
  return r;
}

core::Result<std::string> Sealer::SealLeaf(const crypto::AeadKey& audit, uint64_t index,
                                           std::string_view event, core::Clock::WallTime now) {
  std::string aad = LedgerLeafAad(index);
  MAMORI_ASSIGN_OR_RETURN(std::string envelope, crypto::Aead::Seal(audit, crypto::AsBytes(event),
                                                                   crypto::AsBytes(aad), random_));
  return ledger::EncodeLeaf({.key_id = audit.id(),
                             .sequence = index,
                             .timestamp_ms = MillisOf(now),
                             .ciphertext = std::move(envelope)});
}

core::Result<std::string> Sealer::OpenLeaf(std::shared_ptr<const crypto::AeadKey> audit,
                                           std::string_view bytes, KeyTable* keys) {
  MAMORI_ASSIGN_OR_RETURN(ledger::Leaf leaf, ledger::DecodeLeaf(crypto::AsBytes(bytes)));
  if (ring_ != nullptr && keys != nullptr && !(leaf.key_id == audit->id())) {
    MAMORI_ASSIGN_OR_RETURN(audit, ring_->ForId(leaf.key_id, *keys));
  }
  core::Result<crypto::SecureBytes> plain = crypto::Aead::Open(
      *audit, crypto::AsBytes(leaf.ciphertext), crypto::AsBytes(LedgerLeafAad(leaf.sequence)));
  if (!plain.ok()) {
    return core::DataLossError(
        fmt::format("ledger leaf {} failed its integrity check", leaf.sequence));
  }
  return std::string(reinterpret_cast<const char*>(plain->data()), plain->size());
}

}  // namespace mamori::store::internal

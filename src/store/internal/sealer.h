// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.
//
// Sealer: the envelope encryption every backend shares (store/SCHEMA.md "Body
// encryption"), so the SQLite and PostgreSQL backends seal and open resource
// bodies, records and audit leaves byte for byte alike and neither database
// ever sees plaintext. Holds no state of its own besides borrowed pointers:
// the KeyRing (nullptr for the benchmark-only plaintext store) and Random.
// Thread-safe as far as the KeyRing is (ForId from any thread; creating keys
// on the committer thread only).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/tree_head.h"
#include "store/internal/key_ring.h"
#include "store/store.h"

namespace mamori::store::internal {

int64_t ToMicros(core::Clock::WallTime t);
core::Clock::WallTime FromMicros(int64_t us);

// AAD of a resource body: binds the row's plaintext columns to the ciphertext.
std::string ResourceAad(const std::string& type, const std::string& id, int64_t version,
                        bool deleted, int64_t updated_us);
// AAD of a sealed record.
std::string RecordAad(const std::string& kind, const std::string& key, int64_t version);
// The AAD of a leaf's envelope: binds the event to its index (ledger/FORMAT.md).
std::string LedgerLeafAad(uint64_t index);

// The installation's keys derived from reserved compartments, loaded once.
struct DerivedKeys {
  crypto::HmacKey index;                         // "#index" through HKDF
  std::shared_ptr<const crypto::AeadKey> audit;  // "#audit"
  crypto::SigningKey signing;                    // "#ledger-signing" through HKDF
};
// Loads (creating through `table` when absent) the three reserved keys. With
// ring == nullptr (plaintext benchmark store) returns fixed keys.
core::Result<DerivedKeys> LoadDerivedKeys(KeyRing* ring, KeyTable& table);

// The log id as 32 hex digits and back.
std::string LogIdHex(const ledger::LogId& id);
core::Result<ledger::LogId> ParseLogIdHex(const std::string& hex);

class Sealer {
 public:
  Sealer(KeyRing* ring, core::Random& random) : ring_(ring), random_(random) {}

  core::Result<std::string> SealResource(const NewVersion& v, int64_t version, int64_t updated_us,
                                         const std::string& json, KeyTable& keys);
  core::Result<ResourceVersion> OpenResource(std::string type, std::string id, int64_t version,
                                             int64_t seq, int64_t updated_us, bool deleted,
                                             const std::string& body, KeyTable& keys);
  core::Result<std::string> SealRecord(const std::string& kind, const std::string& key,
                                       int64_t version, std::string_view body, KeyTable& keys);
  core::Result<Record> OpenRecord(std::string kind, std::string key, int64_t version,
                                  const std::string& sealed, KeyTable& keys);
  // The encoded leaf (ledger/leaf.h) of `event` at `index`, sealed with `audit`.
  core::Result<std::string> SealLeaf(const crypto::AeadKey& audit, uint64_t index,
                                     std::string_view event, core::Clock::WallTime now);
  // The event of an encoded leaf. kInvalidArgument if it does not decode;
  // kDataLoss if it does not open.
  core::Result<std::string> OpenLeaf(std::shared_ptr<const crypto::AeadKey> audit,
                                     std::string_view leaf, KeyTable* keys);

 private:
  KeyRing* ring_;
  core::Random& random_;
};

}  // namespace mamori::store::internal

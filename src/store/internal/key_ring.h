// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.
//
// KeyRing: the data keys (DEKs), one per patient compartment plus one shared,
// each wrapped by the KEK and cached unwrapped in memory (wiped when the ring
// is destroyed: AeadKey holds SecureBytes). Backend-agnostic: the rows live
// wherever a KeyTable puts them, inside the caller's transaction, so a key
// created by a write that rolls back is forgotten with it.
//
// Wrapping: DEK bytes sealed with Aead under the KEK, AAD
// "mamori.dek.v1" 0x00 key_id(16) compartment (FORMAT in store/SCHEMA.md).

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/random.h"
#include "core/status.h"
#include "crypto/aead.h"

namespace mamori::store::internal {

struct WrappedKey {
  crypto::AeadKeyId key_id;
  std::string compartment;
  std::string wrapped;  // Aead envelope under the KEK
};

// Persistence of wrapped keys, implemented by each backend over its
// transaction (writes) or a read connection (lookups).
class KeyTable {
 public:
  virtual ~KeyTable() = default;
  virtual core::Result<std::optional<WrappedKey>> FindByCompartment(const std::string& c) = 0;
  virtual core::Result<std::optional<WrappedKey>> FindById(const crypto::AeadKeyId& id) = 0;
  virtual core::Status Insert(const WrappedKey& key) = 0;
};

class KeyRing {
 public:
  // `kek` is borrowed and must outlive the ring.
  KeyRing(const crypto::AeadKey& kek, core::Random& random) : kek_(kek), random_(random) {}

  // The DEK for `compartment`, creating (and inserting through `table`) a new
  // one if none exists. A created key is pending until Commit(): use
  // Commit()/Discard() after the transaction ends.
  core::Result<std::shared_ptr<const crypto::AeadKey>> ForCompartment(
      const std::string& compartment, KeyTable& table);
  // The DEK with this id (as named by an envelope). Errors: kDataLoss if no
  // such key exists or it fails to unwrap (wrong KEK, tampered row).
  core::Result<std::shared_ptr<const crypto::AeadKey>> ForId(const crypto::AeadKeyId& id,
                                                             KeyTable& table);
  // Makes keys created since the last Commit/Discard visible to everyone.
  void Commit();
  // Forgets keys created since the last Commit/Discard (their rows rolled back).
  void Discard();
  // For savepoints: a mark, and forgetting the keys created after it (the
  // body that created them rolled back alone).
  size_t PendingMark() const { return pending_.size(); }
  void DiscardSince(size_t mark) { pending_.resize(mark); }

  static std::string Aad(const crypto::AeadKeyId& id, const std::string& compartment);
  // Wraps `dek` for `compartment` under `kek` (also used by key rotation).
  static core::Result<WrappedKey> Wrap(const crypto::AeadKey& kek, const crypto::AeadKey& dek,
                                       const std::string& compartment, core::Random& random);
  static core::Result<crypto::AeadKey> Unwrap(const crypto::AeadKey& kek,
                                              const WrappedKey& wrapped);

 private:
  using KeyPtr = std::shared_ptr<const crypto::AeadKey>;
  void Remember(const std::string& compartment, KeyPtr key);

  const crypto::AeadKey& kek_;
  core::Random& random_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, KeyPtr> by_compartment_;
  std::unordered_map<std::string, KeyPtr> by_id_;  // key: id hex
  // Created inside the current transaction; only the committer thread uses it.
  std::vector<std::pair<std::string, KeyPtr>> pending_;
};

}  // namespace mamori::store::internal

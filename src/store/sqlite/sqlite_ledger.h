// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.

#include <span>
#include <string>
#include <vector>

#include "ledger/hash_source.h"
#include "store/internal/sealer.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace mamori::store::internal {

// The hashes of `ids` from ledger_node, in order. Errors: kNotFound for a
// node that is not stored; kInvalidArgument for a stored hash that is not 32 bytes.
core::Result<std::vector<ledger::Hash>> ReadNodeHashes(SqliteDb& db,
                                                       std::span<const ledger::NodeId> ids);

// ledger::HashSource over one connection (the writer, while opening).
class WriterNodes final : public ledger::HashSource {
 public:
  explicit WriterNodes(SqliteDb& db) : db_(db) {}
  core::Result<std::vector<ledger::Hash>> NodeHashes(
      std::span<const ledger::NodeId> ids) const override {
    return ReadNodeHashes(db_, ids);
  }

 private:
  SqliteDb& db_;
};

core::Status ReadAuditLog(const std::string& path,
                          const std::function<core::Status(const AuditRow&)>& on_row,
                          std::vector<std::string>* tree_heads);

core::Status ReadAuditEvents(
    const std::string& path, const crypto::AeadKey& kek,
    const std::function<core::Status(uint64_t index, std::string_view json)>& on_event,
    uint64_t first_index);

}  // namespace mamori::store::internal

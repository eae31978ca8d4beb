// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.

#include "store/internal/key_ring.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace mamori::store::internal {

// Key rows read and written through one SQLite connection.
class SqliteKeyTable final : public KeyTable {
 public:
  explicit SqliteKeyTable(SqliteDb& db) : db_(db) {}
  core::Result<std::optional<WrappedKey>> FindByCompartment(const std::string& c) override;
  core::Result<std::optional<WrappedKey>> FindById(const crypto::AeadKeyId& id) override;
  core::Status Insert(const WrappedKey& key) override;

 private:
  core::Result<std::optional<WrappedKey>> FindOne(Statement* stmt);
  SqliteDb& db_;
};

// The Transaction a write body sees: the writer connection inside the
// group's BEGIN IMMEDIATE ... COMMIT, within the body's own savepoint.
class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteStore& store, SqliteDb& db, core::Clock::WallTime now)
      : store_(store), db_(db), keys_(db), now_(now) {}

  core::Result<std::optional<ResourceVersion>> ReadCurrent(const std::string& type,
                                                           const std::string& id) override;
  core::Result<std::vector<std::string>> FindByIndex(const std::string& type,
                                                     const std::string& param,
                                                     const std::string& hash,
                                                     size_t limit) override;
  core::Result<ResourceVersion> Put(const NewVersion& version) override;
  core::Clock::WallTime Now() const override { return now_; }
  core::Result<uint64_t> AppendAudit(std::string_view event) override {
    return store_.AppendAuditLeaf(db_, event, now_);
  }

 private:
  SqliteStore& store_;
  SqliteDb& db_;
  SqliteKeyTable keys_;
  core::Clock::WallTime now_;
};

// The index lookup shared by transactions and readers.
core::Result<std::vector<std::string>> FindIdsByIndex(SqliteDb& db, const std::string& type,
                                                      const std::string& param,
                                                      const std::string& hash, size_t limit);

int64_t ToMicros(core::Clock::WallTime t);
core::Clock::WallTime FromMicros(int64_t us);

}  // namespace mamori::store::internal

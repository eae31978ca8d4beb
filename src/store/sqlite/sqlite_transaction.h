// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.

#include <string_view>

#include "store/internal/key_ring.h"
#include "store/internal/sealer.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace mamori::store::internal {

// The two levels of the search index (SCHEMA.md, schema step 6): the main
// table and the small one new rows go to until the committer merges them.
inline constexpr std::string_view kMainIndexTable = "search_index";
inline constexpr std::string_view kRecentIndexTable = "search_index_recent";

// Every lookup reads both levels: the same primary-key range scan of each
// table (in rid order, no sort; SqliteIndexMergeTest.LookupsAreTwoIndexScans),
// merged in C++ (a UNION ALL ... ORDER BY merge inside SQLite cost a third
// more CPU on long scans). A resource's rows are all in one of the two
// tables, so no row appears twice.
inline constexpr char kLookupMainSql[] =
    "SELECT rid, low, high FROM search_index WHERE hash = ?1 AND rid > ?2 ORDER BY rid LIMIT ?3";
inline constexpr char kLookupRecentSql[] =
    "SELECT rid, low, high FROM search_index_recent WHERE hash = ?1 AND rid > ?2 "
    "ORDER BY rid LIMIT ?3";
// A point lookup (one resource's rows of one hash, for each candidate of a
// narrower clause) is one statement over both tables: two index probes in
// one statement execution cost less than two statements.
inline constexpr char kLookupForSql[] =
    "SELECT rid, low, high FROM search_index WHERE hash = ?1 AND rid = ?2 UNION ALL "
    "SELECT rid, low, high FROM search_index_recent WHERE hash = ?1 AND rid = ?2";

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
  core::Result<ResourceVersion> Put(const NewVersion& version) override;
  core::Clock::WallTime Now() const override { return now_; }
  core::Result<int64_t> PutRecord(const std::string& kind, const std::string& key,
                                  std::string_view body, int64_t expected_version) override;
  core::Result<uint64_t> AppendAudit(std::string_view event) override {
    return store_.AppendAuditLeaf(db_, event, now_);
  }

  core::Result<std::vector<IndexHit>> LookupIndex(const std::string& hash, int64_t after_key,
                                                  size_t limit) override;
  core::Result<std::vector<IndexHit>> LookupIndexFor(const std::string& hash, int64_t key) override;
  core::Result<std::optional<ResourceVersion>> ReadByKey(int64_t key) override;
  core::Result<std::pair<std::string, std::string>> KeyName(int64_t key) override;
  core::Result<std::optional<int64_t>> KeyOf(const std::string& type,
                                             const std::string& id) override;

  // Replaces the index entries of type/id (live: `entries`; deleted: none),
  // assigning the resource its key on its first live version. `updated_us`
  // fills kWriteTime ranges; `previous` is the live version being replaced,
  // if any (its entries are deleted). Used by Put and by the index rebuild.
  core::Status ReplaceIndex(const std::string& type, const std::string& id, bool deleted,
                            int64_t updated_us, const std::vector<IndexEntry>& entries,
                            const ResourceVersion* previous);
  // New index rows go straight to search_index (the index rebuild).
  void WriteIndexToMain() { index_to_main_ = true; }

 private:
  core::Status ClearIndex(int64_t key, const ResourceVersion* previous);
  core::Result<int64_t> DeleteRows(std::string_view table, int64_t key,
                                   const std::vector<std::string_view>& hashes);

  SqliteStore& store_;
  SqliteDb& db_;
  SqliteKeyTable keys_;
  core::Clock::WallTime now_;
  bool index_to_main_ = false;
};

}  // namespace mamori::store::internal

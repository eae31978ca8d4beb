// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite/sqlite_transaction.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "crypto/secure_bytes.h"

namespace mamori::store::internal {

core::Result<std::optional<WrappedKey>> SqliteKeyTable::FindOne(Statement* stmt) {
  MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<WrappedKey>();
  std::string id_bytes = stmt->ColumnBlob(0);
  WrappedKey key;
  MAMORI_ASSIGN_OR_RETURN(key.key_id, crypto::AeadKeyId::FromBytes(crypto::AsBytes(id_bytes)));
  key.compartment = stmt->ColumnText(1);
  key.wrapped = stmt->ColumnBlob(2);
  stmt->Reset();
  return std::optional<WrappedKey>(std::move(key));
}

core::Result<std::optional<WrappedKey>> SqliteKeyTable::FindByCompartment(const std::string& c) {
  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt,
      db_.Prepare("SELECT key_id, compartment, wrapped FROM data_key WHERE compartment = ?"));
  stmt->Bind(1, c);
  return FindOne(stmt);
}

core::Result<std::optional<WrappedKey>> SqliteKeyTable::FindById(const crypto::AeadKeyId& id) {
  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt,
      db_.Prepare("SELECT key_id, compartment, wrapped FROM data_key WHERE key_id = ?"));
  stmt->BindBlob(1, std::span<const uint8_t>(id.bytes()));
  return FindOne(stmt);
}

core::Status SqliteKeyTable::Insert(const WrappedKey& key) {
  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt,
      db_.Prepare("INSERT INTO data_key (key_id, compartment, wrapped, created_us) "
                  "VALUES (?, ?, ?, 0)"));
  stmt->BindBlob(1, std::span<const uint8_t>(key.key_id.bytes()));
  stmt->Bind(2, key.compartment);
  stmt->BindBlob(3, key.wrapped);
  return stmt->Run();
}

namespace {

// Binds an entry's range as the low/high columns: integers for times (and 0
// for hash-only entries, which SQLite stores in no payload bytes), reals for
// numbers.
void BindRange(Statement* stmt, const IndexEntry& e, int64_t updated_us) {
  switch (e.range) {
    case IndexEntry::Range::kNone:
      stmt->Bind(3, int64_t{0});
      stmt->Bind(4, int64_t{0});
      return;
    case IndexEntry::Range::kTime:
      stmt->Bind(3, e.time_low);
      stmt->Bind(4, e.time_high);
      return;
    case IndexEntry::Range::kNumber:
      stmt->BindDouble(3, e.number_low);
      stmt->BindDouble(4, e.number_high);
      return;
    case IndexEntry::Range::kWriteTime:
      stmt->Bind(3, updated_us);
      stmt->Bind(4, updated_us + 1);
      return;
  }
}

// The distinct hashes of `entries`.
std::vector<std::string_view> DistinctHashes(const std::vector<IndexEntry>& entries) {
  std::vector<std::string_view> hashes;
  hashes.reserve(entries.size());
  for (const IndexEntry& e : entries) hashes.push_back(e.hash);
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

}  // namespace

core::Result<std::optional<int64_t>> SqliteTransaction::KeyOf(const std::string& type,
                                                              const std::string& id) {
  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt, db_.Prepare("SELECT rid FROM resource_current WHERE type = ? AND id = ?"));
  stmt->Bind(1, type);
  stmt->Bind(2, id);
  MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
  std::optional<int64_t> key;
  if (row && !stmt->ColumnIsNull(0)) key = stmt->ColumnInt(0);
  stmt->Reset();
  return key;
}

core::Result<std::pair<std::string, std::string>> SqliteTransaction::KeyName(int64_t key) {
  MAMORI_ASSIGN_OR_RETURN(Statement * stmt,
                          db_.Prepare("SELECT type, id FROM search_resource WHERE rid = ?"));
  stmt->Bind(1, key);
  MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return core::NotFoundError("no resource has key " + std::to_string(key));
  std::pair<std::string, std::string> name{stmt->ColumnText(0), stmt->ColumnText(1)};
  stmt->Reset();
  return name;
}

core::Result<std::optional<ResourceVersion>> SqliteTransaction::ReadByKey(int64_t key) {
  MAMORI_ASSIGN_OR_RETURN(auto name, KeyName(key));
  MAMORI_ASSIGN_OR_RETURN(std::optional<ResourceVersion> v, ReadCurrent(name.first, name.second));
  if (!v || v->deleted) return std::optional<ResourceVersion>();
  v->key = key;
  return v;
}

namespace {

core::Result<std::vector<IndexHit>> ReadHits(Statement* stmt) {
  std::vector<IndexHit> hits;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    IndexHit hit{.key = stmt->ColumnInt(0)};
    if (stmt->ColumnIsReal(1)) {
      hit.number_low = stmt->ColumnDouble(1);
      hit.number_high = stmt->ColumnDouble(2);
    } else {
      hit.time_low = stmt->ColumnInt(1);
      hit.time_high = stmt->ColumnInt(2);
      hit.number_low = static_cast<double>(hit.time_low);
      hit.number_high = static_cast<double>(hit.time_high);
    }
    hits.push_back(hit);
  }
  return hits;
}

}  // namespace

core::Result<std::vector<IndexHit>> SqliteTransaction::LookupIndexFor(const std::string& hash,
                                                                      int64_t key) {
  MAMORI_ASSIGN_OR_RETURN(Statement * stmt, db_.Prepare(kLookupForSql));
  stmt->BindBlob(1, hash);
  stmt->Bind(2, key);
  return ReadHits(stmt);
}

core::Result<std::vector<IndexHit>> SqliteTransaction::LookupIndex(const std::string& hash,
                                                                   int64_t after_key,
                                                                   size_t limit) {
  const int64_t sql_limit = limit == 0 ? int64_t{-1} : static_cast<int64_t>(limit);
  MAMORI_ASSIGN_OR_RETURN(Statement * recent, db_.Prepare(kLookupRecentSql));
  recent->BindBlob(1, hash);
  recent->Bind(2, after_key);
  recent->Bind(3, sql_limit);
  MAMORI_ASSIGN_OR_RETURN(std::vector<IndexHit> newer, ReadHits(recent));
  MAMORI_ASSIGN_OR_RETURN(Statement * main, db_.Prepare(kLookupMainSql));
  main->BindBlob(1, hash);
  main->Bind(2, after_key);
  main->Bind(3, sql_limit);
  MAMORI_ASSIGN_OR_RETURN(std::vector<IndexHit> hits, ReadHits(main));
  if (newer.empty()) return hits;
  if (hits.empty()) return newer;
  // Both in ascending key order: merge, then keep the first `limit`.
  std::vector<IndexHit> merged;
  merged.reserve(hits.size() + newer.size());
  std::merge(hits.begin(), hits.end(), newer.begin(), newer.end(), std::back_inserter(merged),
             [](const IndexHit& a, const IndexHit& b) { return a.key < b.key; });
  if (limit != 0 && merged.size() > limit) merged.resize(limit);
  return merged;
}

// Deletes the rows of `key` for each of `hashes` from `table`; returns how many.
core::Result<int64_t> SqliteTransaction::DeleteRows(std::string_view table, int64_t key,
                                                    const std::vector<std::string_view>& hashes) {
  MAMORI_ASSIGN_OR_RETURN(
      Statement * clear,
      db_.Prepare(fmt::format("DELETE FROM {} WHERE hash = ? AND rid = ?", table)));
  int64_t removed = 0;
  for (std::string_view hash : hashes) {
    clear->Reset();
    clear->BindBlob(1, hash);
    clear->Bind(2, key);
    MAMORI_RETURN_IF_ERROR(clear->Run());
    removed += sqlite3_changes(db_.handle());
  }
  return removed;
}

// Deletes the rows of `key`: exactly those the indexer computes for the
// previous version, by (hash, key), with no second index on rid, from the
// recent table first (a resource's rows are all in one of the two tables;
// recently written ones in the small one) and then from search_index if
// some are still missing. If that does not account for every row the
// resource has (no indexer, no previous version, or entries that changed
// since they were written), the rows are found by a scan of both tables
// instead: slow, never wrong.
core::Status SqliteTransaction::ClearIndex(int64_t key, const ResourceVersion* previous) {
  MAMORI_ASSIGN_OR_RETURN(Statement * count,
                          db_.Prepare("SELECT entries FROM search_resource WHERE rid = ?"));
  count->Bind(1, key);
  MAMORI_ASSIGN_OR_RETURN(bool row, count->Step());
  int64_t expected = row ? count->ColumnInt(0) : 0;
  count->Reset();
  if (expected == 0) return core::Status::Ok();
  int64_t removed = 0;
  const auto& indexer = store_.indexer();
  if (previous != nullptr && indexer) {
    core::Result<std::vector<IndexEntry>> old = indexer(*previous, store_);
    if (old.ok()) {
      std::vector<std::string_view> hashes = DistinctHashes(*old);
      MAMORI_ASSIGN_OR_RETURN(int64_t recent, DeleteRows(kRecentIndexTable, key, hashes));
      store_.AddRecentIndexRows(-recent);
      removed += recent;
      if (removed < expected) {
        MAMORI_ASSIGN_OR_RETURN(int64_t main, DeleteRows(kMainIndexTable, key, hashes));
        removed += main;
      }
    }
  }
  if (removed == expected) return core::Status::Ok();
  MAMORI_ASSIGN_OR_RETURN(Statement * scan_recent,
                          db_.Prepare("DELETE FROM search_index_recent WHERE rid = ?"));
  scan_recent->Bind(1, key);
  MAMORI_RETURN_IF_ERROR(scan_recent->Run());
  store_.AddRecentIndexRows(-sqlite3_changes(db_.handle()));
  MAMORI_ASSIGN_OR_RETURN(Statement * scan, db_.Prepare("DELETE FROM search_index WHERE rid = ?"));
  scan->Bind(1, key);
  return scan->Run();
}

core::Status SqliteTransaction::ReplaceIndex(const std::string& type, const std::string& id,
                                             bool deleted, int64_t updated_us,
                                             const std::vector<IndexEntry>& entries,
                                             const ResourceVersion* previous) {
  for (const IndexEntry& e : entries) {
    if (e.hash.size() != kIndexHashSize) {
      return core::InvalidArgumentError("an index entry hash must come from Store::BlindIndex");
    }
  }
  MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> key, KeyOf(type, id));
  if (key) MAMORI_RETURN_IF_ERROR(ClearIndex(*key, previous));
  if (deleted && !key) return core::Status::Ok();
  if (!key) {
    MAMORI_ASSIGN_OR_RETURN(
        Statement * add,
        db_.Prepare("INSERT INTO search_resource (type, id, entries) VALUES (?, ?, 0)"));
    add->Bind(1, type);
    add->Bind(2, id);
    MAMORI_RETURN_IF_ERROR(add->Run());
    key = sqlite3_last_insert_rowid(db_.handle());
    MAMORI_ASSIGN_OR_RETURN(
        Statement * link,
        db_.Prepare("UPDATE resource_current SET rid = ? WHERE type = ? AND id = ?"));
    link->Bind(1, *key);
    link->Bind(2, type);
    link->Bind(3, id);
    MAMORI_RETURN_IF_ERROR(link->Run());
  }
  int64_t written = 0;
  if (!deleted) {
    // New rows go to the small table (StoreOptions::index_merge_rows), unless
    // the second level is off or this is a rebuild (a bulk load whose rows
    // would all have to be merged anyway).
    const bool recent = !index_to_main_ && store_.options().index_merge_rows > 0;
    MAMORI_ASSIGN_OR_RETURN(
        Statement * insert,
        db_.Prepare(fmt::format("INSERT OR IGNORE INTO {} (hash, rid, low, high) VALUES (?,?,?,?)",
                                recent ? kRecentIndexTable : kMainIndexTable)));
    for (const IndexEntry& e : entries) {
      insert->Reset();
      insert->BindBlob(1, e.hash);
      insert->Bind(2, *key);
      BindRange(insert, e, updated_us);
      MAMORI_RETURN_IF_ERROR(insert->Run());
      written += sqlite3_changes(db_.handle());
    }
    if (recent) store_.AddRecentIndexRows(written);
  }
  MAMORI_ASSIGN_OR_RETURN(Statement * count,
                          db_.Prepare("UPDATE search_resource SET entries = ? WHERE rid = ?"));
  count->Bind(1, written);
  count->Bind(2, *key);
  return count->Run();
}

core::Result<std::optional<ResourceVersion>> SqliteTransaction::ReadCurrent(const std::string& type,
                                                                            const std::string& id) {
  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt, db_.Prepare("SELECT v.version, v.seq, v.updated_us, v.deleted, v.body FROM "
                                    "resource_current c JOIN resource_version v ON v.seq = c.seq "
                                    "WHERE c.type = ? AND c.id = ?"));
  stmt->Bind(1, type);
  stmt->Bind(2, id);
  MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<ResourceVersion>();
  int64_t version = stmt->ColumnInt(0), seq = stmt->ColumnInt(1), updated = stmt->ColumnInt(2);
  bool deleted = stmt->ColumnInt(3) != 0;
  std::string body = stmt->ColumnBlob(4);
  stmt->Reset();
  MAMORI_ASSIGN_OR_RETURN(ResourceVersion v,
                          store_.Decode(type, id, version, seq, updated, deleted, body, keys_));
  return std::optional<ResourceVersion>(std::move(v));
}

core::Result<ResourceVersion> SqliteTransaction::Put(const NewVersion& v) {
  if (v.type.empty() || v.id.empty()) {
    return core::InvalidArgumentError("a resource version needs a type and an id");
  }
  MAMORI_ASSIGN_OR_RETURN(
      Statement * current,
      db_.Prepare("SELECT version, deleted FROM resource_current WHERE type=? AND id=?"));
  current->Bind(1, v.type);
  current->Bind(2, v.id);
  MAMORI_ASSIGN_OR_RETURN(bool exists, current->Step());
  int64_t version = exists ? current->ColumnInt(0) + 1 : 1;
  bool live = exists && current->ColumnInt(1) == 0;
  current->Reset();
  // The live version being replaced: its index entries are recomputed to
  // delete them (ClearIndex), which costs a decryption on updates only.
  std::optional<ResourceVersion> previous;
  if (live && store_.indexer()) {
    MAMORI_ASSIGN_OR_RETURN(previous, ReadCurrent(v.type, v.id));
  }

  int64_t updated_us = ToMicros(now_);
  std::string json = v.deleted ? std::string() : v.render(version, FromMicros(updated_us));
  MAMORI_ASSIGN_OR_RETURN(std::string body, store_.Seal(v, version, updated_us, json, keys_));

  MAMORI_ASSIGN_OR_RETURN(
      Statement * insert,
      db_.Prepare("INSERT INTO resource_version (type, id, version, updated_us, deleted, body) "
                  "VALUES (?, ?, ?, ?, ?, ?)"));
  insert->Bind(1, v.type);
  insert->Bind(2, v.id);
  insert->Bind(3, version);
  insert->Bind(4, updated_us);
  insert->Bind(5, int64_t{v.deleted ? 1 : 0});
  insert->BindBlob(6, body);
  MAMORI_RETURN_IF_ERROR(insert->Run());
  int64_t seq = sqlite3_last_insert_rowid(db_.handle());

  MAMORI_ASSIGN_OR_RETURN(
      Statement * upsert,
      db_.Prepare("INSERT INTO resource_current (type, id, version, seq, deleted) "
                  "VALUES (?, ?, ?, ?, ?) ON CONFLICT (type, id) DO UPDATE SET "
                  "version = excluded.version, seq = excluded.seq, deleted = excluded.deleted"));
  upsert->Bind(1, v.type);
  upsert->Bind(2, v.id);
  upsert->Bind(3, version);
  upsert->Bind(4, seq);
  upsert->Bind(5, int64_t{v.deleted ? 1 : 0});
  MAMORI_RETURN_IF_ERROR(upsert->Run());
  MAMORI_RETURN_IF_ERROR(
      ReplaceIndex(v.type, v.id, v.deleted, updated_us, v.index, previous ? &*previous : nullptr));

  MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> key, KeyOf(v.type, v.id));
  return ResourceVersion{.type = v.type,
                         .id = v.id,
                         .version = version,
                         .sequence = seq,
                         .last_updated = FromMicros(updated_us),
                         .deleted = v.deleted,
                         .key = key.value_or(0),
                         .json = std::move(json)};
}

}  // namespace mamori::store::internal

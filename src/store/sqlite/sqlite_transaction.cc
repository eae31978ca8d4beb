// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite/sqlite_transaction.h"

#include "crypto/secure_bytes.h"

namespace mamori::store::internal {

int64_t ToMicros(core::Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

core::Clock::WallTime FromMicros(int64_t us) {
  return core::Clock::WallTime(
      std::chrono::duration_cast<core::Clock::WallTime::duration>(std::chrono::microseconds(us)));
}

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

core::Result<std::vector<std::string>> FindIdsByIndex(SqliteDb& db, const std::string& type,
                                                      const std::string& param,
                                                      const std::string& hash, size_t limit) {
  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT t.id FROM token_index t JOIN resource_current c "
                 "ON c.type = t.type AND c.id = t.id "
                 "WHERE t.type = ? AND t.param = ? AND t.hash = ? AND c.deleted = 0 LIMIT ?"));
  stmt->Bind(1, type);
  stmt->Bind(2, param);
  stmt->BindBlob(3, hash);
  stmt->Bind(4, static_cast<int64_t>(limit));
  std::vector<std::string> ids;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    ids.push_back(stmt->ColumnText(0));
  }
  return ids;
}

core::Result<std::vector<std::string>> SqliteTransaction::FindByIndex(const std::string& type,
                                                                      const std::string& param,
                                                                      const std::string& hash,
                                                                      size_t limit) {
  return FindIdsByIndex(db_, type, param, hash, limit);
}

// Replaces the index entries of type/id with those of the new version.
core::Status WriteIndex(SqliteDb& db, const NewVersion& v) {
  MAMORI_ASSIGN_OR_RETURN(Statement * clear,
                          db.Prepare("DELETE FROM token_index WHERE type = ? AND id = ?"));
  clear->Bind(1, v.type);
  clear->Bind(2, v.id);
  MAMORI_RETURN_IF_ERROR(clear->Run());
  if (v.deleted) return core::Status::Ok();
  for (const IndexEntry& e : v.index) {
    MAMORI_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT OR IGNORE INTO token_index (type, param, hash, id) VALUES (?,?,?,?)"));
    insert->Bind(1, v.type);
    insert->Bind(2, e.param);
    insert->BindBlob(3, e.hash);
    insert->Bind(4, v.id);
    MAMORI_RETURN_IF_ERROR(insert->Run());
  }
  return core::Status::Ok();
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
      db_.Prepare("SELECT version FROM resource_current WHERE type=? AND id=?"));
  current->Bind(1, v.type);
  current->Bind(2, v.id);
  MAMORI_ASSIGN_OR_RETURN(bool exists, current->Step());
  int64_t version = exists ? current->ColumnInt(0) + 1 : 1;
  current->Reset();

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
  MAMORI_RETURN_IF_ERROR(WriteIndex(db_, v));

  return ResourceVersion{.type = v.type,
                         .id = v.id,
                         .version = version,
                         .sequence = seq,
                         .last_updated = FromMicros(updated_us),
                         .deleted = v.deleted,
                         .json = std::move(json)};
}

}  // namespace mamori::store::internal

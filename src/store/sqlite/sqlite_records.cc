// SPDX-License-Identifier: Apache-2.0
// Sealed records outside FHIR (store.h, Record): the `record` table.
#include <fmt/format.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_transaction.h"

namespace mamori::store::internal {
namespace {

core::Result<std::vector<Record>> Collect(SqliteStore& store, Statement* stmt, KeyTable& keys,
                                          const std::string& kind) {
  std::vector<Record> out;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    MAMORI_ASSIGN_OR_RETURN(
        Record r,
        store.OpenRecord(kind, stmt->ColumnText(0), stmt->ColumnInt(1), stmt->ColumnBlob(2), keys));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

core::Result<std::string> SqliteStore::SealRecord(const std::string& kind, const std::string& key,
                                                  int64_t version, std::string_view body,
                                                  KeyTable& keys) {
  return Sealer(key_ring_.get(), env_.random()).SealRecord(kind, key, version, body, keys);
}

core::Result<Record> SqliteStore::OpenRecord(std::string kind, std::string key, int64_t version,
                                             const std::string& sealed, KeyTable& keys) {
  return Sealer(key_ring_.get(), env_.random())
      .OpenRecord(std::move(kind), std::move(key), version, sealed, keys);
}

core::Result<std::optional<Record>> SqliteStore::GetRecord(const std::string& kind,
                                                           const std::string& key) {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return core::UnavailableError("no database connection");
  SqliteKeyTable keys(*lease.get());
  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease.get()->Prepare("SELECT key, version, body FROM record WHERE kind = ? AND key = ?"));
  stmt->Bind(1, kind);
  stmt->Bind(2, key);
  MAMORI_ASSIGN_OR_RETURN(std::vector<Record> found, Collect(*this, stmt, keys, kind));
  if (found.empty()) return std::optional<Record>();
  return std::optional<Record>(std::move(found.front()));
}

core::Result<std::vector<Record>> SqliteStore::ListRecords(const std::string& kind) {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return core::UnavailableError("no database connection");
  SqliteKeyTable keys(*lease.get());
  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease.get()->Prepare("SELECT key, version, body FROM record WHERE kind = ? ORDER BY key"));
  stmt->Bind(1, kind);
  return Collect(*this, stmt, keys, kind);
}

core::Result<int64_t> SqliteTransaction::PutRecord(const std::string& kind, const std::string& key,
                                                   std::string_view body,
                                                   int64_t expected_version) {
  if (kind.empty() || key.empty()) {
    return core::InvalidArgumentError("a record needs a kind and a key");
  }
  MAMORI_ASSIGN_OR_RETURN(Statement * find,
                          db_.Prepare("SELECT version FROM record WHERE kind = ? AND key = ?"));
  find->Bind(1, kind);
  find->Bind(2, key);
  MAMORI_ASSIGN_OR_RETURN(bool exists, find->Step());
  int64_t stored = exists ? find->ColumnInt(0) : 0;
  find->Reset();
  if (expected_version == 0 && exists) {
    return core::AlreadyExistsError(kind + " record exists");
  }
  if (stored != expected_version) {
    return core::AbortedError(kind + " record was changed concurrently; reload and retry");
  }
  int64_t version = stored + 1;
  MAMORI_ASSIGN_OR_RETURN(std::string sealed, store_.SealRecord(kind, key, version, body, keys_));
  MAMORI_ASSIGN_OR_RETURN(
      Statement * put,
      db_.Prepare("INSERT OR REPLACE INTO record (kind, key, version, body) VALUES (?, ?, ?, ?)"));
  put->Bind(1, kind);
  put->Bind(2, key);
  put->Bind(3, version);
  put->BindBlob(4, sealed);
  MAMORI_RETURN_IF_ERROR(put->Run());
  return version;
}

}  // namespace mamori::store::internal

// SPDX-License-Identifier: Apache-2.0
// store::CopySqliteToPostgres (`mamori store copy`): every row of a SQLite
// store into an empty PostgreSQL store, key-less. Bodies, records and leaves
// are copied as sealed (their AAD binds type, id, version, time and leaf
// index, never the row's sequence), so nothing is decrypted on the way.
#include <fmt/format.h>

#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_schema.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace mamori::store {
namespace {

using internal::PgConn;
using internal::PgParams;
using internal::SqliteDb;
using internal::Statement;

// Column kinds of one copied table: i integer, t text, b blob, o boolean
// (SQLite 0/1), r range (SQLite INTEGER or REAL, split into two PostgreSQL
// columns pairs by the caller).
struct Table {
  const char* name;
  const char* select;  // SQLite
  const char* insert;  // PostgreSQL
  const char* kinds;
};

constexpr Table kTables[] = {
    {"data_key", "SELECT key_id, compartment, wrapped, created_us FROM data_key",
     "INSERT INTO data_key (key_id, compartment, wrapped, created_us) VALUES ($1,$2,$3,$4)",
     "btbi"},
    {"resource_version",
     "SELECT seq, type, id, version, updated_us, deleted, body FROM resource_version ORDER BY seq",
     "INSERT INTO resource_version (seq, type, id, version, updated_us, deleted, body) "
     "VALUES ($1,$2,$3,$4,$5,$6,$7)",
     "ittiiob"},
    {"resource_current", "SELECT type, id, version, seq, deleted, rid FROM resource_current",
     "INSERT INTO resource_current (type, id, version, seq, deleted, rid) "
     "VALUES ($1,$2,$3,$4,$5,$6)",
     "ttiioi"},
    {"search_resource", "SELECT rid, type, id FROM search_resource ORDER BY rid",
     "INSERT INTO search_resource (rid, type, id) VALUES ($1,$2,$3)", "itt"},
    {"record", "SELECT kind, key, version, body FROM record",
     "INSERT INTO record (kind, key, version, body) VALUES ($1,$2,$3,$4)", "ttib"},
    {"ledger_leaf", "SELECT idx, leaf FROM ledger_leaf ORDER BY idx",
     "INSERT INTO ledger_leaf (idx, leaf) VALUES ($1,$2)", "ib"},
    {"ledger_node", "SELECT level, idx, hash FROM ledger_node",
     "INSERT INTO ledger_node (level, idx, hash) VALUES ($1,$2,$3)", "iib"},
    {"ledger_sth", "SELECT seq, tree_size, sth FROM ledger_sth ORDER BY seq",
     "INSERT INTO ledger_sth (seq, tree_size, sth) VALUES ($1,$2,$3)", "iib"},
    {"mamori_meta", "SELECT key, value FROM mamori_meta WHERE key = 'ledger_log_id'",
     "INSERT INTO mamori_meta (key, value) VALUES ($1,$2)", "tt"},
};

core::Result<int64_t> CopyTable(SqliteDb& from, PgConn& to, const Table& t) {
  MAMORI_ASSIGN_OR_RETURN(Statement * stmt, from.Prepare(t.select));
  int64_t rows = 0;
  const std::string kinds = t.kinds;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    PgParams p;
    for (size_t c = 0; c < kinds.size(); ++c) {
      int i = static_cast<int>(c);
      if (stmt->ColumnIsNull(i)) {
        p.Null();
        continue;
      }
      switch (kinds[c]) {
        case 'i':
          p.Int(stmt->ColumnInt(i));
          break;
        case 't':
          p.Text(stmt->ColumnText(i));
          break;
        case 'b':
          p.Bytes(stmt->ColumnBlob(i));
          break;
        case 'o':
          p.Text(stmt->ColumnInt(i) != 0 ? "true" : "false");
          break;
      }
    }
    core::Status s = to.Query(t.insert, p).status();
    if (!s.ok()) {
      stmt->Reset();
      return s.With("copying ", t.name);
    }
    ++rows;
  }
  return rows;
}

// search_index (both SQLite levels, schema step 6): SQLite keeps a range as INTEGER (times, and 0
// for hash-only rows) or REAL (numbers); PostgreSQL in low/high or low_n/high_n.
core::Result<int64_t> CopySearchIndex(SqliteDb& from, PgConn& to) {
  MAMORI_ASSIGN_OR_RETURN(Statement * stmt,
                          from.Prepare("SELECT hash, rid, low, high FROM search_index UNION ALL "
                                       "SELECT hash, rid, low, high FROM search_index_recent"));
  int64_t rows = 0;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    PgParams p;
    p.Bytes(stmt->ColumnBlob(0)).Int(stmt->ColumnInt(1));
    if (stmt->ColumnIsReal(2)) {
      p.Null().Null().Double(stmt->ColumnDouble(2)).Double(stmt->ColumnDouble(3));
    } else {
      p.Int(stmt->ColumnInt(2)).Int(stmt->ColumnInt(3)).Null().Null();
    }
    core::Status s = to.Query(
                           "INSERT INTO search_index (hash, rid, low, high, low_n, high_n) "
                           "VALUES ($1,$2,$3,$4,$5,$6)",
                           p)
                         .status();
    if (!s.ok()) {
      stmt->Reset();
      return s.With("copying search_index");
    }
    ++rows;
  }
  return rows;
}

core::Status CopyAll(SqliteDb& from, PgConn& to, StoreCopyCounts& counts) {
  MAMORI_ASSIGN_OR_RETURN(
      std::optional<int64_t> rows,
      to.QueryInt("SELECT (SELECT count(*) FROM resource_version) + (SELECT count(*) FROM "
                  "ledger_leaf) + (SELECT count(*) FROM record) + (SELECT count(*) FROM "
                  "data_key)"));
  if (rows.value_or(0) != 0) {
    return core::FailedPreconditionError(
        "the PostgreSQL database already holds mamori data; copy into an empty database");
  }
  for (const Table& t : kTables) {
    MAMORI_ASSIGN_OR_RETURN(int64_t n, CopyTable(from, to, t));
    std::string_view name = t.name;
    if (name == "resource_version") counts.versions = n;
    if (name == "ledger_leaf") counts.leaves = n;
    if (name == "ledger_sth") counts.tree_heads = n;
    if (name == "record") counts.records = n;
    if (name == "data_key") counts.keys = n;
  }
  MAMORI_ASSIGN_OR_RETURN(counts.index_rows, CopySearchIndex(from, to));
  // The sequences continue after the copied rows.
  for (const char* seq : {"SELECT setval(pg_get_serial_sequence('resource_version', 'seq'), "
                          "coalesce((SELECT max(seq) FROM resource_version), 0) + 1, false)",
                          "SELECT setval(pg_get_serial_sequence('search_resource', 'rid'), "
                          "coalesce((SELECT max(rid) FROM search_resource), 0) + 1, false)",
                          "SELECT setval(pg_get_serial_sequence('ledger_sth', 'seq'), "
                          "coalesce((SELECT max(seq) FROM ledger_sth), 0) + 1, false)"}) {
    MAMORI_RETURN_IF_ERROR(to.Query(seq).status());
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<StoreCopyCounts> CopySqliteToPostgres(const std::string& sqlite_path,
                                                   const std::string& url) {
  if (!internal::IsPostgresUrl(url)) {
    return core::InvalidArgumentError("the destination must be a postgres:// URL");
  }
  MAMORI_ASSIGN_OR_RETURN(auto from, SqliteDb::Open(sqlite_path, /*read_only=*/true, ""));
  MAMORI_ASSIGN_OR_RETURN(int64_t version, internal::ReadSqliteSchemaVersion(*from));
  MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> rebuild,
                          from->QueryInt("SELECT count(*) FROM mamori_meta WHERE key = "
                                         "'search_index_rebuild'"));
  if (version != internal::kSqliteSchemaVersion || rebuild.value_or(0) != 0) {
    return core::FailedPreconditionError(fmt::format(
        "{} has schema version {}{}; run `mamori serve` on it once with this mamori first",
        sqlite_path, version,
        rebuild.value_or(0) != 0 ? " and a search index waiting for its rebuild" : ""));
  }
  MAMORI_ASSIGN_OR_RETURN(auto to, PgConn::Connect(url));
  MAMORI_RETURN_IF_ERROR(internal::MigratePgSchema(*to));
  // One read snapshot of the source, one transaction on the destination.
  MAMORI_RETURN_IF_ERROR(from->Exec("BEGIN"));
  MAMORI_RETURN_IF_ERROR(to->Exec("BEGIN"));
  StoreCopyCounts counts;
  core::Status s =
      to->Query("SELECT pg_advisory_xact_lock($1)", PgParams().Int(internal::kPgLedgerLock))
          .status();
  if (s.ok()) s = CopyAll(*from, *to, counts);
  if (s.ok()) s = to->Exec("COMMIT");
  if (!s.ok()) to->Exec("ROLLBACK").IgnoreError();  // reporting the first error
  from->Exec("COMMIT").IgnoreError();               // a read transaction: nothing to lose
  MAMORI_RETURN_IF_ERROR(s);
  return counts;
}

}  // namespace mamori::store

// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite/schema.h"

#include <string>
#include <vector>

namespace mamori::store::internal {
namespace {

// Migration N takes schema N-1 to N. Append only; never edit a released step.
const std::vector<const char*>& Migrations() {
  static const std::vector<const char*>* steps = new std::vector<const char*>{
      // 1: resource versions, the current-version index, data keys.
      R"sql(
CREATE TABLE mamori_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE data_key (
  key_id      BLOB PRIMARY KEY,
  compartment TEXT NOT NULL UNIQUE,
  wrapped     BLOB NOT NULL,
  created_us  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE resource_version (
  seq        INTEGER PRIMARY KEY,
  type       TEXT NOT NULL,
  id         TEXT NOT NULL,
  version    INTEGER NOT NULL,
  updated_us INTEGER NOT NULL,
  deleted    INTEGER NOT NULL,
  body       BLOB NOT NULL
);
CREATE UNIQUE INDEX resource_version_by_key ON resource_version (type, id, version);
CREATE INDEX resource_version_by_type ON resource_version (type, seq);

CREATE TABLE resource_current (
  type    TEXT NOT NULL,
  id      TEXT NOT NULL,
  version INTEGER NOT NULL,
  seq     INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  PRIMARY KEY (type, id)
) WITHOUT ROWID;

CREATE TABLE token_index (
  type  TEXT NOT NULL,
  param TEXT NOT NULL,
  hash  BLOB NOT NULL,
  id    TEXT NOT NULL,
  PRIMARY KEY (type, param, hash, id)
) WITHOUT ROWID;
CREATE INDEX token_index_by_resource ON token_index (type, id);
)sql",
      // 2: the search index (issue 5). Replaces token_index. Self-contained:
      // it touches no table another step adds. The index itself is rebuilt
      // from the current resources by the first OpenStore that has the key
      // and an indexer (SqliteStore::RebuildIndexIfNeeded), flagged here.
      R"sql(
DROP TABLE token_index;

CREATE TABLE search_resource (
  rid     INTEGER PRIMARY KEY,
  type    TEXT NOT NULL,
  id      TEXT NOT NULL,
  entries INTEGER NOT NULL
);
ALTER TABLE resource_current ADD COLUMN rid INTEGER;

CREATE TABLE search_index (
  hash BLOB NOT NULL,
  rid  INTEGER NOT NULL,
  low  NOT NULL,
  high NOT NULL,
  PRIMARY KEY (hash, rid, low, high)
) WITHOUT ROWID;

INSERT OR REPLACE INTO mamori_meta (key, value) VALUES ('search_index_rebuild', '1');
)sql",
      // 3: sealed records outside FHIR (auth accounts, OAuth clients).
      R"sql(
CREATE TABLE record (
  kind    TEXT NOT NULL,
  key     TEXT NOT NULL,
  version INTEGER NOT NULL,
  body    BLOB NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
)sql",
      // 4: the audit ledger (issue 6): leaves, the perfect-subtree nodes
      // CompactRange reports, and signed tree heads. Self-contained so the
      // lead may renumber it at merge. Append-only by use: mamori never
      // updates or deletes these rows (ledger/FORMAT.md, store/SCHEMA.md).
      R"sql(
CREATE TABLE ledger_leaf (
  idx  INTEGER PRIMARY KEY,
  leaf BLOB NOT NULL
);
CREATE TABLE ledger_node (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE ledger_sth (
  seq       INTEGER PRIMARY KEY,
  tree_size INTEGER NOT NULL,
  sth       BLOB NOT NULL
);
)sql",
      // 5: fewer index entries per resource (fhir/search/README.md "Index
      // cost"): prefixes at stored lengths only, no kPresent entry where a
      // range entry implies it and none for required elements (only their
      // absence), identical parameters hashed once, composites from their
      // parts' broadest forms, no "|code" row for a code without a system. The tables
      // keep their shape; the rows are rebuilt at the next open with the key,
      // because rows of the old forms would linger (and make every update of
      // such a resource fall back to ClearIndex's full scan).
      R"sql(
INSERT OR REPLACE INTO mamori_meta (key, value) VALUES ('search_index_rebuild', '1');
)sql",
      // 6: a second, small level of the search index (issue 4, create rate).
      // New rows go to search_index_recent; the committer moves them into
      // search_index in hash-range slices once it holds
      // StoreOptions::index_merge_rows rows (SCHEMA.md says why). Every
      // lookup reads both tables. Existing rows stay where they are.
      R"sql(
CREATE TABLE search_index_recent (
  hash BLOB NOT NULL,
  rid  INTEGER NOT NULL,
  low  NOT NULL,
  high NOT NULL,
  PRIMARY KEY (hash, rid, low, high)
) WITHOUT ROWID;
)sql",
  };
  return *steps;
}

}  // namespace

core::Result<int64_t> ReadSqliteSchemaVersion(SqliteDb& db) {
  MAMORI_ASSIGN_OR_RETURN(
      std::optional<int64_t> has_meta,
      db.QueryInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='mamori_meta'"));
  if (!has_meta || *has_meta == 0) {
    MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> tables,
                            db.QueryInt("SELECT count(*) FROM sqlite_master"));
    if (tables && *tables > 0) {
      return core::FailedPreconditionError(
          "the database is not a mamori database (it has tables but no mamori_meta)");
    }
    return int64_t{0};
  }
  MAMORI_ASSIGN_OR_RETURN(
      std::optional<int64_t> version,
      db.QueryInt("SELECT CAST(value AS INTEGER) FROM mamori_meta WHERE key='schema_version'"));
  return version.value_or(0);
}

core::Status MigrateSqliteSchema(SqliteDb& db) {
  MAMORI_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  core::Result<int64_t> current = ReadSqliteSchemaVersion(db);
  auto fail = [&db](core::Status s) {
    db.Exec("ROLLBACK").IgnoreError();  // the original error matters more
    return s;
  };
  if (!current.ok()) return fail(current.status());
  const auto& steps = Migrations();
  if (*current > static_cast<int64_t>(steps.size())) {
    return fail(core::FailedPreconditionError(
        "the database has schema version " + std::to_string(*current) +
        " but this mamori knows only up to " + std::to_string(steps.size()) +
        "; run the newer mamori that wrote it, or restore a backup"));
  }
  for (int64_t v = *current; v < static_cast<int64_t>(steps.size()); ++v) {
    core::Status s = db.Exec(steps[v]).With("migrating schema to version ", v + 1);
    if (!s.ok()) return fail(s);
  }
  core::Status s = db.Exec(
      "INSERT OR REPLACE INTO mamori_meta (key, value) VALUES "
      "('schema_version', '" +
      std::to_string(steps.size()) + "')");
  if (!s.ok()) return fail(s);
  return db.Exec("COMMIT");
}

}  // namespace mamori::store::internal

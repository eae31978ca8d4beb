// SPDX-License-Identifier: Apache-2.0
#include "store/postgres/pg_schema.h"

#include <string>
#include <vector>

namespace mamori::store::internal {
namespace {

// Migration N takes schema N-1 to N. Append only; never edit a released step.
const std::vector<const char*>& Migrations() {
  static const std::vector<const char*>* steps = new std::vector<const char*>{
      // 1: everything SQLite's steps 1-5 built, in PostgreSQL types.
      R"sql(
CREATE TABLE mamori_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE data_key (
  key_id      bytea PRIMARY KEY,
  compartment text NOT NULL UNIQUE,
  wrapped     bytea NOT NULL,
  created_us  bigint NOT NULL
);
CREATE TABLE resource_version (
  seq        bigserial PRIMARY KEY,
  type       text NOT NULL,
  id         text NOT NULL,
  version    bigint NOT NULL,
  updated_us bigint NOT NULL,
  deleted    boolean NOT NULL,
  body       bytea NOT NULL,
  UNIQUE (type, id, version)
);
CREATE INDEX resource_version_by_type ON resource_version (type, seq);
CREATE TABLE resource_current (
  type    text NOT NULL,
  id      text NOT NULL,
  version bigint NOT NULL,
  seq     bigint NOT NULL,
  deleted boolean NOT NULL,
  rid     bigint,
  PRIMARY KEY (type, id)
);
CREATE TABLE search_resource (
  rid  bigserial PRIMARY KEY,
  type text NOT NULL,
  id   text NOT NULL
);
CREATE TABLE search_index (
  hash   bytea NOT NULL,
  rid    bigint NOT NULL,
  low    bigint,
  high   bigint,
  low_n  double precision,
  high_n double precision
);
CREATE INDEX search_index_by_hash ON search_index (hash, rid);
CREATE INDEX search_index_by_rid ON search_index (rid);
CREATE TABLE record (
  kind    text NOT NULL,
  key     text NOT NULL,
  version bigint NOT NULL,
  body    bytea NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE TABLE ledger_leaf (
  idx  bigint PRIMARY KEY,
  leaf bytea NOT NULL
);
CREATE TABLE ledger_node (
  level integer NOT NULL,
  idx   bigint NOT NULL,
  hash  bytea NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE ledger_sth (
  seq       bigserial PRIMARY KEY,
  tree_size bigint NOT NULL,
  sth       bytea NOT NULL
);
)sql",
  };
  return *steps;
}

}  // namespace

int64_t PgSchemaVersion() { return static_cast<int64_t>(Migrations().size()); }

core::Result<int64_t> ReadPgSchemaVersion(PgConn& db) {
  MAMORI_ASSIGN_OR_RETURN(
      std::optional<int64_t> has_meta,
      db.QueryInt("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                  "AND tablename = 'mamori_meta'"));
  if (!has_meta || *has_meta == 0) {
    MAMORI_ASSIGN_OR_RETURN(
        std::optional<int64_t> tables,
        db.QueryInt("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"));
    if (tables && *tables > 0) {
      return core::FailedPreconditionError(
          "the database is not a mamori database (it has tables but no mamori_meta)");
    }
    return int64_t{0};
  }
  MAMORI_ASSIGN_OR_RETURN(
      std::optional<int64_t> version,
      db.QueryInt("SELECT value::bigint FROM mamori_meta WHERE key = 'schema_version'"));
  return version.value_or(0);
}

core::Status MigratePgSchema(PgConn& db) {
  MAMORI_RETURN_IF_ERROR(db.Exec("BEGIN"));
  auto fail = [&db](core::Status s) {
    db.Exec("ROLLBACK").IgnoreError();  // the original error matters more
    return s;
  };
  core::Status locked =
      db.Query("SELECT pg_advisory_xact_lock($1)", PgParams().Int(kPgMigrateLock)).status();
  if (!locked.ok()) return fail(locked);
  core::Result<int64_t> current = ReadPgSchemaVersion(db);
  if (!current.ok()) return fail(current.status());
  const auto& steps = Migrations();
  if (*current > static_cast<int64_t>(steps.size())) {
    return fail(core::FailedPreconditionError(
        "the database has schema version " + std::to_string(*current) +
        " but this mamori knows only up to " + std::to_string(steps.size()) +
        "; run the newer mamori that wrote it, or restore a backup"));
  }
  if (*current == static_cast<int64_t>(steps.size())) return db.Exec("COMMIT");
  for (int64_t v = *current; v < static_cast<int64_t>(steps.size()); ++v) {
    core::Status s = db.Exec(steps[v]).With("migrating schema to version ", v + 1);
    if (!s.ok()) return fail(s);
  }
  core::Status s = db.Query(
                         "INSERT INTO mamori_meta (key, value) VALUES ('schema_version', $1) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         PgParams().Text(std::to_string(steps.size())))
                       .status();
  if (!s.ok()) return fail(s);
  return db.Exec("COMMIT");
}

}  // namespace mamori::store::internal

// SPDX-License-Identifier: Apache-2.0
#include "store/store.h"

#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"

namespace mamori::store {

core::Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options, core::Env& env) {
  if (options.path.empty()) return core::InvalidArgumentError("the store needs a database path");
  if (options.encrypt && options.kek == nullptr) {
    return core::InvalidArgumentError("an encrypted store needs the master key");
  }
  if (!options.encrypt && !options.allow_plaintext_for_benchmark) {
    // DESIGN invariant 4: no plaintext patient data at rest.
    return core::InvalidArgumentError("a plaintext store is only allowed for benchmarks");
  }
  if (options.max_group_size < 1 || options.read_connections < 1) {
    return core::InvalidArgumentError("max_group_size and read_connections must be at least 1");
  }
  if (internal::IsPostgresUrl(options.path)) return internal::PgStore::Create(options, env);
  return internal::SqliteStore::Create(options, env);
}

core::Result<std::pair<int64_t, int64_t>> MigrateSchema(const std::string& location) {
  if (internal::IsPostgresUrl(location)) {
    MAMORI_ASSIGN_OR_RETURN(auto db, internal::PgConn::Connect(location));
    MAMORI_ASSIGN_OR_RETURN(int64_t before, internal::ReadPgSchemaVersion(*db));
    MAMORI_RETURN_IF_ERROR(internal::MigratePgSchema(*db));
    MAMORI_ASSIGN_OR_RETURN(int64_t after, internal::ReadPgSchemaVersion(*db));
    return std::pair<int64_t, int64_t>{before, after};
  }
  MAMORI_ASSIGN_OR_RETURN(auto db, internal::SqliteDb::Open(location, false, ""));
  MAMORI_ASSIGN_OR_RETURN(int64_t before, internal::ReadSqliteSchemaVersion(*db));
  MAMORI_RETURN_IF_ERROR(internal::MigrateSqliteSchema(*db));
  MAMORI_ASSIGN_OR_RETURN(int64_t after, internal::ReadSqliteSchemaVersion(*db));
  return std::pair<int64_t, int64_t>{before, after};
}

}  // namespace mamori::store

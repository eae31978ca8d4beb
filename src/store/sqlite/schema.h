// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.
//
// The SQLite schema and its migrations (documented in store/SCHEMA.md).
// Schema versions only go up. A database whose version is newer than this
// binary knows is refused, never downgraded.

#include <cstdint>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace mamori::store::internal {

// The schema version this binary writes.
inline constexpr int64_t kSqliteSchemaVersion = 6;

// Creates the schema in an empty database, or migrates an older one, in one
// transaction. Errors: kFailedPrecondition if the database is newer than
// kSqliteSchemaVersion or is not a mamori database; SQLite errors otherwise.
core::Status MigrateSqliteSchema(SqliteDb& db);

// The stored schema version (0 for an empty database).
core::Result<int64_t> ReadSqliteSchemaVersion(SqliteDb& db);

}  // namespace mamori::store::internal

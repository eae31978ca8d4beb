// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.
//
// The PostgreSQL schema and its migrations (store/SCHEMA.md "PostgreSQL").
// Versions only go up; each step runs in one transaction (PostgreSQL DDL is
// transactional) under an advisory lock, so nodes starting together migrate
// once. A database whose version is newer than this binary knows is refused.

#include <cstdint>

#include "core/status.h"
#include "store/postgres/pg_conn.h"

namespace mamori::store::internal {

// Advisory lock keys (pg_advisory_*): one namespace per purpose.
inline constexpr int64_t kPgMigrateLock = 0x6d616d6f72690001;  // "mamori" 1
inline constexpr int64_t kPgLedgerLock = 0x6d616d6f72690002;   // one writing group at a time
inline constexpr int64_t kPgIssuerLock = 0x6d616d6f72690003;   // the tree head issuer node

// The number of migration steps this binary knows.
int64_t PgSchemaVersion();

// Creates or migrates the schema. Errors: kFailedPrecondition if the
// database is newer or not a mamori database; the database's errors.
core::Status MigratePgSchema(PgConn& db);

// The stored schema version (0 for a database without mamori tables).
core::Result<int64_t> ReadPgSchemaVersion(PgConn& db);

}  // namespace mamori::store::internal

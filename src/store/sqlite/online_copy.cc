// SPDX-License-Identifier: Apache-2.0
// store::CopyDatabase for SQLite: the online backup API copies a consistent
// snapshot while the server keeps writing (WAL: the copy reads one snapshot;
// writers are not blocked). Used by `mamori backup` (issue 8).
#include <filesystem>

#include <sqlite3.h>

#include "store/postgres/pg_conn.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace mamori::store {

core::Result<CopySummary> CopyDatabase(const std::string& database_path,
                                       const std::string& copy_path) {
  if (internal::IsPostgresUrl(database_path)) {
    return core::FailedPreconditionError(
        "a PostgreSQL store is backed up with PostgreSQL's own tools (pg_basebackup or "
        "pg_dump; docs/OPERATIONS.md), not by copying a database file");
  }
  std::error_code ec;
  if (std::filesystem::exists(copy_path, ec)) {
    return core::FailedPreconditionError(copy_path + " exists; the copy must go to a new file");
  }
  // Read-only source connection: the copy can never change the database.
  MAMORI_ASSIGN_OR_RETURN(auto source, internal::SqliteDb::Open(database_path, true, ""));
  sqlite3* target = nullptr;
  int rc = sqlite3_open_v2(copy_path.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close(target);
    return internal::SqliteError(rc, "cannot create the database copy");
  }
  sqlite3_backup* backup = sqlite3_backup_init(target, "main", source->handle(), "main");
  if (backup == nullptr) {
    core::Status s =
        internal::SqliteError(sqlite3_errcode(target), "cannot start the copy", target);
    sqlite3_close(target);
    return s;
  }
  // All pages in one step: one consistent read snapshot of the source. (A
  // stepped copy restarts whenever another connection writes, and under a
  // steady write load it might never finish.)
  rc = sqlite3_backup_step(backup, -1);
  CopySummary summary{.pages = static_cast<int64_t>(sqlite3_backup_pagecount(backup))};
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    sqlite3_close(target);
    std::filesystem::remove(copy_path, ec);
    return internal::SqliteError(rc, "the database copy failed");
  }
  // The copy is a plain rollback-journal file that opens anywhere.
  rc = sqlite3_exec(target, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  sqlite3_close(target);
  if (rc != SQLITE_OK) return internal::SqliteError(rc, "cannot finish the database copy");
  summary.bytes = static_cast<int64_t>(std::filesystem::file_size(copy_path, ec));
  return summary;
}

}  // namespace mamori::store

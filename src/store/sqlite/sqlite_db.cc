// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite/sqlite_db.h"

#include <fmt/format.h>

namespace mamori::store::internal {

core::Status SqliteError(int rc, std::string_view what, sqlite3* db) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  // SQLite messages name tables and constraints, never bound values.
  std::string message = fmt::format("sqlite: {}: {} (code {})", what, detail, rc);
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return core::ResourceExhaustedError(message + "; the disk is full");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return core::DataLossError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return core::UnavailableError(message);
    case SQLITE_CONSTRAINT:
      return core::AlreadyExistsError(message);
    default:
      return core::InternalError(message);
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void Statement::BindBlob(int index, std::span<const uint8_t> blob) {
  sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
}

void Statement::BindBlob(int index, std::string_view blob) {
  sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
}

void Statement::BindNull(int index) { sqlite3_bind_null(stmt_, index); }

core::Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  core::Status status = SqliteError(rc, "step", db_);
  sqlite3_reset(stmt_);
  return status;
}

core::Status Statement::Run() {
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return core::Status::Ok();
  }
}

std::string Statement::ColumnText(int i) const {
  const unsigned char* text = sqlite3_column_text(stmt_, i);
  return text == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(text),
                                       static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}

std::string Statement::ColumnBlob(int i) const {
  const void* blob = sqlite3_column_blob(stmt_, i);
  return blob == nullptr ? std::string()
                         : std::string(static_cast<const char*>(blob),
                                       static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}

core::Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool read_only,
                                                       const std::string& vfs) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
              (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs.empty() ? nullptr : vfs.c_str());
  if (rc != SQLITE_OK) {
    core::Status status = SqliteError(rc, "opening " + path, db);
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<SqliteDb> result(new SqliteDb(db));
  // A writer holding the lock briefly (checkpoint) should not fail readers.
  sqlite3_busy_timeout(db, 5000);
  return result;
}

SqliteDb::~SqliteDb() {
  statements_.clear();
  sqlite3_close(db_);
}

core::Status SqliteDb::Exec(std::string_view sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  if (rc != SQLITE_OK) return SqliteError(rc, "exec", db_);
  return core::Status::Ok();
}

core::Status SqliteDb::ExecCached(const std::string& sql) {
  MAMORI_ASSIGN_OR_RETURN(Statement * stmt, Prepare(sql));
  core::Status s = stmt->Run();
  stmt->Reset();  // a finished SAVEPOINT must not stay active
  return s;
}

core::Result<Statement*> SqliteDb::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, "prepare", db_);
  auto [inserted, ok] = statements_.emplace(sql, std::make_unique<Statement>(db_, stmt));
  (void)ok;
  return inserted->second.get();
}

core::Result<std::optional<int64_t>> SqliteDb::QueryInt(const std::string& sql) {
  MAMORI_ASSIGN_OR_RETURN(Statement * stmt, Prepare(sql));
  MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row || stmt->ColumnIsNull(0)) {
    stmt->Reset();
    return std::optional<int64_t>();
  }
  int64_t value = stmt->ColumnInt(0);
  stmt->Reset();
  return std::optional<int64_t>(value);
}

}  // namespace mamori::store::internal

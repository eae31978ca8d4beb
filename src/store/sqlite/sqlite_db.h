// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.
//
// A thin RAII layer over the SQLite C API that turns result codes into
// core::Status. One SqliteDb is one connection and belongs to one thread at a
// time; statements are prepared once per connection and cached.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "core/status.h"

namespace mamori::store::internal {

// Maps an SQLite result code to a Status: SQLITE_FULL -> kResourceExhausted,
// SQLITE_CORRUPT/NOTADB -> kDataLoss, SQLITE_BUSY/LOCKED/IOERR/CANTOPEN ->
// kUnavailable, SQLITE_CONSTRAINT -> kAlreadyExists, others -> kInternal.
core::Status SqliteError(int rc, std::string_view what, sqlite3* db = nullptr);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Clears bindings and resets, ready for a new execution.
  void Reset();
  void Bind(int index, int64_t value);
  void Bind(int index, std::string_view text);
  void BindBlob(int index, std::span<const uint8_t> blob);
  void BindBlob(int index, std::string_view blob);
  void BindNull(int index);
  void BindDouble(int index, double value) { sqlite3_bind_double(stmt_, index, value); }
  // Steps once: true when a row is available, false when done.
  core::Result<bool> Step();
  // Steps to completion (for statements that return no rows).
  core::Status Run();

  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  double ColumnDouble(int i) const { return sqlite3_column_double(stmt_, i); }
  bool ColumnIsReal(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_FLOAT; }
  bool ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::string ColumnText(int i) const;
  std::string ColumnBlob(int i) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating if needed) `path` in read-write or read-only mode with
  // the given VFS (empty = default), WAL journal, foreign keys on.
  static core::Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool read_only,
                                                      const std::string& vfs);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  core::Status Exec(std::string_view sql);
  // A cached prepared statement, reset and ready to bind. Owned by the db.
  core::Result<Statement*> Prepare(const std::string& sql);
  // Exec through the statement cache, for a statement run once per write
  // (SAVEPOINT, RELEASE): no parse each time.
  core::Status ExecCached(const std::string& sql);
  // Convenience: runs a one-row query returning a single integer, or nullopt.
  core::Result<std::optional<int64_t>> QueryInt(const std::string& sql);

  sqlite3* handle() { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace mamori::store::internal

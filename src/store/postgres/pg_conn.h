// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.
//
// A thin RAII layer over libpq that turns results into core::Status. One
// PgConn is one connection and belongs to one thread at a time. Statements
// use PQexecParams (parameters never spliced into SQL text); bytea parameters
// travel in binary, results in text (bytea as hex, decoded here).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <libpq-fe.h>

#include "core/status.h"

namespace mamori::store::internal {

// True for "postgres://..." and "postgresql://..." store locations.
bool IsPostgresUrl(std::string_view location);

// The location with any password replaced by "***", for messages and logs.
std::string RedactUrl(std::string_view url);

class PgParams {
 public:
  PgParams& Text(std::string_view v);
  PgParams& Int(int64_t v);
  PgParams& Double(double v);
  PgParams& Bytes(std::string_view v);
  PgParams& Null();
  size_t size() const { return values_.size(); }

 private:
  friend class PgConn;
  std::vector<std::string> values_;
  std::vector<int> formats_;
  std::vector<bool> null_;
};

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  int64_t Int(int row, int col) const;
  double Double(int row, int col) const;
  std::string Text(int row, int col) const;
  // A bytea column (hex text output) as raw bytes.
  std::string Bytes(int row, int col) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  int64_t Affected() const;
  PGresult* get() const { return r_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class PgConn {
 public:
  // Connects to `url` (libpq connection URI; sslmode/sslrootcert as given).
  // Errors: kUnavailable when the server cannot be reached or refuses.
  static core::Result<std::unique_ptr<PgConn>> Connect(const std::string& url);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs one or more statements without parameters.
  core::Status Exec(std::string_view sql);
  // Runs one statement with parameters ($1, $2, ...).
  core::Result<PgResult> Query(const std::string& sql, const PgParams& params = PgParams());
  // Convenience: a one-row, one-column integer result, or nullopt.
  core::Result<std::optional<int64_t>> QueryInt(const std::string& sql,
                                                const PgParams& params = PgParams());
  // False once the connection was lost (it must be replaced).
  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

 private:
  explicit PgConn(PGconn* conn) : conn_(conn) {}
  core::Status Check(PGresult* r, std::string_view what);
  PGconn* conn_;
  // Statements prepared on this connection, by SQL text: the server parses
  // and plans each once per connection instead of once per execution.
  std::unordered_map<std::string, std::string> prepared_;
};

// Maps a failed result: connection loss, shutdown, too many connections ->
// kUnavailable; disk full -> kResourceExhausted; unique violation ->
// kAlreadyExists; serialization/deadlock -> kAborted; others -> kInternal.
core::Status PgError(PGconn* conn, PGresult* r, std::string_view what);

}  // namespace mamori::store::internal

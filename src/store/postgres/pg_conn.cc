// SPDX-License-Identifier: Apache-2.0
#include "store/postgres/pg_conn.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

namespace mamori::store::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

}  // namespace

bool IsPostgresUrl(std::string_view location) {
  return location.starts_with("postgres://") || location.starts_with("postgresql://");
}

std::string RedactUrl(std::string_view url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme == std::string_view::npos || at == std::string_view::npos || at < scheme) {
    return std::string(url);
  }
  size_t colon = url.substr(0, at).find(':', scheme + 3);
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

PgParams& PgParams::Text(std::string_view v) {
  values_.emplace_back(v);
  formats_.push_back(0);
  null_.push_back(false);
  return *this;
}

PgParams& PgParams::Int(int64_t v) { return Text(std::to_string(v)); }

PgParams& PgParams::Double(double v) {
  if (std::isinf(v)) return Text(v > 0 ? "Infinity" : "-Infinity");
  if (std::isnan(v)) return Text("NaN");
  return Text(fmt::format("{:.17g}", v));
}

PgParams& PgParams::Bytes(std::string_view v) {
  values_.emplace_back(v);
  formats_.push_back(1);
  null_.push_back(false);
  return *this;
}

PgParams& PgParams::Null() {
  values_.emplace_back();
  formats_.push_back(0);
  null_.push_back(true);
  return *this;
}

int64_t PgResult::Int(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  int64_t out = 0;
  std::from_chars(v, v + PQgetlength(r_.get(), row, col), out);
  return out;
}

double PgResult::Double(int row, int col) const {
  return std::strtod(PQgetvalue(r_.get(), row, col), nullptr);  // parses Infinity too
}

std::string PgResult::Text(int row, int col) const {
  return std::string(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col));
}

std::string PgResult::Bytes(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  int len = PQgetlength(r_.get(), row, col);
  if (len < 2 || v[0] != '\\' || v[1] != 'x') return std::string(v, len);
  std::string out;
  out.resize(static_cast<size_t>(len - 2) / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(HexValue(v[2 + 2 * i]) << 4 | HexValue(v[3 + 2 * i]));
  }
  return out;
}

int64_t PgResult::Affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n[0] == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

core::Status PgError(PGconn* conn, PGresult* r, std::string_view what) {
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state != nullptr ? state : "";
  std::string message = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string text = fmt::format("{}: {}{}", what, message,
                                 sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")");
  if (PQstatus(conn) != CONNECTION_OK || sqlstate.starts_with("08") || sqlstate == "57P01" ||
      sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "53300" || sqlstate == "25006" ||
      sqlstate.empty()) {
    return core::UnavailableError(text);
  }
  if (sqlstate == "53100") return core::ResourceExhaustedError(text);
  if (sqlstate == "23505") return core::AlreadyExistsError(text);
  if (sqlstate == "40001" || sqlstate == "40P01") return core::AbortedError(text);
  return core::InternalError(text);
}

core::Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string why = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    while (!why.empty() && why.back() == '\n') why.pop_back();
    if (conn != nullptr) PQfinish(conn);
    return core::UnavailableError(
        fmt::format("cannot connect to PostgreSQL at {}: {}", RedactUrl(url), why));
  }
  std::unique_ptr<PgConn> c(new PgConn(conn));
  // Notices (e.g. "relation exists, skipping") are not errors; keep them quiet.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  MAMORI_RETURN_IF_ERROR(c->Exec("SET client_min_messages = warning"));
  return c;
}

PgConn::~PgConn() { PQfinish(conn_); }

core::Status PgConn::Check(PGresult* r, std::string_view what) {
  ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return core::Status::Ok();
  return PgError(conn_, r, what);
}

core::Status PgConn::Exec(std::string_view sql) {
  PgResult r(PQexec(conn_, std::string(sql).c_str()));
  return Check(r.get(), "PostgreSQL");
}

core::Result<PgResult> PgConn::Query(const std::string& sql, const PgParams& params) {
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params.null_[i] ? nullptr : params.values_[i].data();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "m" + std::to_string(prepared_.size());
    PgResult prepared(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    MAMORI_RETURN_IF_ERROR(Check(prepared.get(), "PostgreSQL"));
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  PgResult r(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                            values.data(), lengths.data(), params.formats_.data(), 0));
  MAMORI_RETURN_IF_ERROR(Check(r.get(), "PostgreSQL"));
  return r;
}

core::Result<std::optional<int64_t>> PgConn::QueryInt(const std::string& sql,
                                                      const PgParams& params) {
  MAMORI_ASSIGN_OR_RETURN(PgResult r, Query(sql, params));
  if (r.rows() == 0 || r.IsNull(0, 0)) return std::optional<int64_t>();
  return std::optional<int64_t>(r.Int(0, 0));
}

}  // namespace mamori::store::internal

// SPDX-License-Identifier: Apache-2.0
// SqliteStore::History: instance, type and system history, newest first, paged
// by commit sequence so pages stay stable while new versions arrive.
#include <fmt/format.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_transaction.h"

namespace mamori::store::internal {
namespace {

// The WHERE clause and its bindings for a query (without the paging cursor).
struct Filter {
  std::string where = "1=1";
  std::vector<std::string> text;
  std::optional<int64_t> since_us;
};

Filter MakeFilter(const HistoryQuery& q) {
  Filter f;
  if (!q.type.empty()) {
    f.where += " AND type = ?";
    f.text.push_back(q.type);
  }
  if (!q.id.empty()) {
    f.where += " AND id = ?";
    f.text.push_back(q.id);
  }
  if (q.since) {
    f.where += " AND updated_us >= ?";
    f.since_us = ToMicros(*q.since);
  }
  return f;
}

int Bind(Statement* stmt, const Filter& f) {
  int i = 1;
  for (const std::string& t : f.text) stmt->Bind(i++, t);
  if (f.since_us) stmt->Bind(i++, *f.since_us);
  return i;
}

}  // namespace

core::Result<HistoryPage> SqliteStore::History(const HistoryQuery& query) {
  if (query.limit < 1 || query.limit > 1000) {
    return core::InvalidArgumentError("history page size must be between 1 and 1000");
  }
  if (!query.id.empty() && query.type.empty()) {
    return core::InvalidArgumentError("instance history needs a resource type");
  }
  ReadLease lease(*this);
  SqliteDb* db = lease.get();
  if (db == nullptr) return core::UnavailableError("no database connection available");
  Filter filter = MakeFilter(query);

  HistoryPage page;
  MAMORI_ASSIGN_OR_RETURN(
      Statement * count,
      db->Prepare("SELECT count(*) FROM resource_version WHERE " + filter.where));
  Bind(count, filter);
  MAMORI_ASSIGN_OR_RETURN(bool counted, count->Step());
  page.total = counted ? count->ColumnInt(0) : 0;
  count->Reset();

  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt,
      db->Prepare("SELECT seq, type, id, version, updated_us, deleted, body FROM resource_version "
                  "WHERE " +
                  filter.where + " AND seq < ? ORDER BY seq DESC LIMIT ?"));
  int next = Bind(stmt, filter);
  stmt->Bind(next, query.before_sequence > 0 ? query.before_sequence : INT64_MAX);
  stmt->Bind(next + 1, static_cast<int64_t>(query.limit + 1));
  SqliteKeyTable keys(*db);
  struct Row {
    int64_t seq, version, updated;
    bool deleted;
    std::string type, id, body;
  };
  std::vector<Row> rows;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    rows.push_back(Row{stmt->ColumnInt(0), stmt->ColumnInt(3), stmt->ColumnInt(4),
                       stmt->ColumnInt(5) != 0, stmt->ColumnText(1), stmt->ColumnText(2),
                       stmt->ColumnBlob(6)});
  }
  if (rows.size() > query.limit) {
    rows.pop_back();
    page.next_before_sequence = rows.back().seq;
  }
  for (Row& r : rows) {
    MAMORI_ASSIGN_OR_RETURN(ResourceVersion v, Decode(std::move(r.type), std::move(r.id), r.version,
                                                      r.seq, r.updated, r.deleted, r.body, keys));
    page.versions.push_back(std::move(v));
  }
  return page;
}

}  // namespace mamori::store::internal

// SPDX-License-Identifier: Apache-2.0
#include "store/postgres/pg_store.h"

#include <fmt/format.h>

#include "core/logging.h"
#include "store/postgres/pg_schema.h"

namespace mamori::store::internal {
namespace {

// Connection attempts after a lost connection, before a group (or a read)
// gives up with kUnavailable; the next one tries again.
constexpr int kConnectAttempts = 3;
constexpr auto kConnectBackoff = std::chrono::milliseconds(200);

core::Result<std::unique_ptr<PgConn>> ConnectWithRetries(const std::string& url, core::Env& env) {
  core::Status last;
  for (int i = 0; i < kConnectAttempts; ++i) {
    if (i > 0) env.clock().SleepUntil(env.clock().Monotonic() + kConnectBackoff * i);
    auto conn = PgConn::Connect(url);
    if (conn.ok()) return conn;
    last = conn.status();
  }
  return last;
}

}  // namespace

PgStore::PgStore(const StoreOptions& options, core::Env& env)
    : options_(options), env_(env), writes_(options.max_group_size) {}

core::Result<std::unique_ptr<Store>> PgStore::Create(const StoreOptions& options, core::Env& env) {
  std::unique_ptr<PgStore> store(new PgStore(options, env));
  MAMORI_RETURN_IF_ERROR(store->Open());
  store->committer_ = std::thread([s = store.get()] {
    s->writes_.Drain([s](std::vector<Pending*>& group) { s->RunGroup(group); });
  });
  if (options.tree_head_interval_ms > 0) {
    store->head_timer_.Start(std::chrono::milliseconds(options.tree_head_interval_ms),
                             options.tree_head_every_leaves,
                             [s = store.get()] { s->IssueHeadIfGrown(); });
  }
  return std::unique_ptr<Store>(std::move(store));
}

core::Status PgStore::Open() {
  if (options_.encrypt) key_ring_ = std::make_unique<KeyRing>(*options_.kek, env_.random());
  MAMORI_ASSIGN_OR_RETURN(writer_, PgConn::Connect(options_.path));
  MAMORI_RETURN_IF_ERROR(MigratePgSchema(*writer_).With(RedactUrl(options_.path)));
  MAMORI_RETURN_IF_ERROR(OpenLedger().With(RedactUrl(options_.path)));
  std::lock_guard lock(readers_mu_);
  for (size_t i = 0; i < std::min<size_t>(options_.read_connections, 4); ++i) {
    MAMORI_ASSIGN_OR_RETURN(auto reader, PgConn::Connect(options_.path));
    readers_.push_back(std::move(reader));
  }
  return core::Status::Ok();
}

PgStore::~PgStore() {
  StopTreeHeads();  // signs the last head while the committer still runs
  writes_.Stop();
  if (committer_.joinable()) committer_.join();
}

PgStore::ReadLease::ReadLease(PgStore& store) : store_(store) {
  {
    std::lock_guard lock(store_.readers_mu_);
    if (!store_.readers_.empty()) {
      db_ = std::move(store_.readers_.back());
      store_.readers_.pop_back();
    }
  }
  if (db_ && db_->healthy()) return;
  auto conn = ConnectWithRetries(store_.options_.path, store_.env_);
  if (conn.ok()) {
    db_ = std::move(*conn);
  } else {
    db_.reset();
    status_ = conn.status();
  }
}

PgStore::ReadLease::~ReadLease() {
  if (!db_ || !db_->healthy()) return;  // a broken connection is dropped
  std::lock_guard lock(store_.readers_mu_);
  if (store_.readers_.size() < store_.options_.read_connections) {
    store_.readers_.push_back(std::move(db_));
  }
}

core::Result<std::string> PgStore::BlindIndex(std::string_view value) {
  crypto::HmacSha256Tag tag = crypto::HmacSha256(*index_key_, crypto::AsBytes(value));
  return std::string(reinterpret_cast<const char*>(tag.data()), kIndexHashSize);
}

core::Status PgStore::ReadSnapshot(std::function<core::Status(IndexReader&)> body) {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return lease.status();
  PgConn& db = *lease.get();
  MAMORI_RETURN_IF_ERROR(db.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  PgTransaction view(*this, db, env_.clock().Now());
  core::Status s = body(view);
  core::Status end = db.Exec("COMMIT");
  if (!end.ok()) db.Exec("ROLLBACK").IgnoreError();  // reporting the first error
  return s.ok() ? end : s;
}

core::Status PgStore::WriteHealth() const { return writes_.Health(); }

core::Status PgStore::Write(std::function<core::Status(Transaction&)> body) {
  return writes_.Submit(std::move(body));
}

void PgStore::WriteAsync(std::function<core::Status(Transaction&)> body,
                         std::function<void(core::Status)> done) {
  writes_.SubmitAsync(std::move(body), std::move(done));
}

// A lost writer connection is replaced before the next group (bounded
// retries); while the database is unreachable every group gets kUnavailable.
core::Status PgStore::EnsureWriter() {
  if (writer_ && writer_->healthy()) return core::Status::Ok();
  writer_.reset();
  MAMORI_ASSIGN_OR_RETURN(writer_, ConnectWithRetries(options_.path, env_));
  return core::Status::Ok();
}

void PgStore::RunGroup(std::vector<Pending*>& group) {
  core::Status ready = WriteHealth();
  if (ready.ok()) ready = EnsureWriter();
  if (ready.ok()) ready = writer_->Exec("BEGIN");
  if (ready.ok()) {
    // One writing group at a time across every node of this database: the
    // ledger's next index, and every If-Match check, see all earlier groups.
    ready =
        writer_->Query("SELECT pg_advisory_xact_lock($1)", PgParams().Int(kPgLedgerLock)).status();
    if (ready.ok()) ready = SyncLedger();
    if (!ready.ok()) writer_->Exec("ROLLBACK").IgnoreError();  // reporting the first error
  }
  if (!ready.ok()) {
    for (Pending* p : group) {
      p->result = ready.code() == core::StatusCode::kUnavailable
                      ? ready
                      : core::UnavailableError(ready.message());
    }
    return;
  }
  PgTransaction tx(*this, *writer_, env_.clock().Now());
  // Each body runs in the savepoint "body"; ending one and starting the next
  // is one round trip ("RELEASE ...; SAVEPOINT ...").
  core::Status savepoint = writer_->Exec("SAVEPOINT body");
  for (size_t i = 0; i < group.size(); ++i) {
    Pending* p = group[i];
    const bool last = i + 1 == group.size();
    size_t mark = key_ring_ ? key_ring_->PendingMark() : 0;
    ledger::CompactRange range_mark = group_range_;  // the body's leaves roll back with it
    p->result = savepoint.ok() ? p->body(tx) : savepoint;
    if (p->result.ok()) {
      p->result = savepoint =
          writer_->Exec(last ? "RELEASE SAVEPOINT body" : "RELEASE SAVEPOINT body; SAVEPOINT body");
    } else {
      if (key_ring_) key_ring_->DiscardSince(mark);
      group_range_ = std::move(range_mark);
      // A failure here surfaces at COMMIT.
      savepoint = writer_->Exec(last ? "ROLLBACK TO SAVEPOINT body; RELEASE SAVEPOINT body"
                                     : "ROLLBACK TO SAVEPOINT body");
    }
  }
  core::Status commit = CommitGroup();
  if (!commit.ok()) {
    for (Pending* p : group) {
      if (p->result.ok()) p->result = commit;
    }
  }
}

void PgStore::AdoptGroupRange() {
  uint64_t added = group_range_.size() - live_range_.size();
  live_range_ = group_range_;
  committed_leaves_ = live_range_.size();
  head_timer_.Committed(added);
}

core::Status PgStore::CommitGroup() {
  core::Status commit = writer_->Exec("COMMIT");
  if (commit.ok()) {
    if (key_ring_) key_ring_->Commit();
    AdoptGroupRange();
    return commit;
  }
  bool lost = !writer_->healthy();
  if (!lost) writer_->Exec("ROLLBACK").IgnoreError();  // the server may have rolled back already
  if (key_ring_) key_ring_->Discard();
  group_range_ = live_range_;  // a failed commit never advances the log
  if (lost) {
    // The connection died: the outcome is unknown to us, the database knows.
    // Nothing in memory depends on it (keys and the ledger are reread), so
    // the store stays writable and the next group reconnects.
    return core::UnavailableError("the database connection was lost during commit: " +
                                  commit.message());
  }
  writes_.Latch(commit);
  return core::UnavailableError("the write was not committed: " + commit.message());
}

core::Result<ResourceVersion> PgStore::Read(const std::string& type, const std::string& id) {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return lease.status();
  PgTransaction tx(*this, *lease.get(), env_.clock().Now());
  MAMORI_ASSIGN_OR_RETURN(std::optional<ResourceVersion> v, tx.ReadCurrent(type, id));
  if (!v) return core::NotFoundError(type + "/" + id + " does not exist");
  return std::move(*v);
}

core::Result<ResourceVersion> PgStore::ReadVersion(const std::string& type, const std::string& id,
                                                   int64_t version) {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return lease.status();
  PgConn& db = *lease.get();
  MAMORI_ASSIGN_OR_RETURN(PgResult r,
                          db.Query("SELECT seq, updated_us, deleted, body FROM resource_version "
                                   "WHERE type = $1 AND id = $2 AND version = $3",
                                   PgParams().Text(type).Text(id).Int(version)));
  if (r.rows() == 0) {
    return core::NotFoundError(fmt::format("{}/{} has no version {}", type, id, version));
  }
  PgKeyTable keys(db);
  return sealer().OpenResource(type, id, version, r.Int(0, 0), r.Int(0, 1), r.Text(0, 2) == "t",
                               r.Bytes(0, 3), keys);
}

core::Result<HistoryPage> PgStore::History(const HistoryQuery& query) {
  if (query.limit < 1 || query.limit > 1000) {
    return core::InvalidArgumentError("history page size must be between 1 and 1000");
  }
  if (!query.id.empty() && query.type.empty()) {
    return core::InvalidArgumentError("instance history needs a resource type");
  }
  ReadLease lease(*this);
  if (lease.get() == nullptr) return lease.status();
  PgConn& db = *lease.get();
  std::string where = "TRUE";
  PgParams params;
  int n = 0;
  if (!query.type.empty()) {
    where += fmt::format(" AND type = ${}", ++n);
    params.Text(query.type);
  }
  if (!query.id.empty()) {
    where += fmt::format(" AND id = ${}", ++n);
    params.Text(query.id);
  }
  if (query.since) {
    where += fmt::format(" AND updated_us >= ${}", ++n);
    params.Int(ToMicros(*query.since));
  }
  HistoryPage page;
  MAMORI_ASSIGN_OR_RETURN(
      std::optional<int64_t> total,
      db.QueryInt("SELECT count(*) FROM resource_version WHERE " + where, params));
  page.total = total.value_or(0);
  PgParams paged = params;
  paged.Int(query.before_sequence > 0 ? query.before_sequence : INT64_MAX)
      .Int(static_cast<int64_t>(query.limit + 1));
  MAMORI_ASSIGN_OR_RETURN(
      PgResult r,
      db.Query(fmt::format("SELECT seq, type, id, version, updated_us, deleted, body FROM "
                           "resource_version WHERE {} AND seq < ${} ORDER BY seq DESC LIMIT ${}",
                           where, n + 1, n + 2),
               paged));
  int rows = r.rows();
  if (rows > static_cast<int>(query.limit)) {
    rows = static_cast<int>(query.limit);
    page.next_before_sequence = r.Int(rows - 1, 0);
  }
  PgKeyTable keys(db);
  for (int i = 0; i < rows; ++i) {
    MAMORI_ASSIGN_OR_RETURN(
        ResourceVersion v,
        sealer().OpenResource(r.Text(i, 1), r.Text(i, 2), r.Int(i, 3), r.Int(i, 0), r.Int(i, 4),
                              r.Text(i, 5) == "t", r.Bytes(i, 6), keys));
    page.versions.push_back(std::move(v));
  }
  return page;
}

core::Result<std::optional<Record>> PgStore::GetRecord(const std::string& kind,
                                                       const std::string& key) {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return lease.status();
  MAMORI_ASSIGN_OR_RETURN(
      PgResult r,
      lease.get()->Query("SELECT version, body FROM record WHERE kind = $1 AND key = $2",
                         PgParams().Text(kind).Text(key)));
  if (r.rows() == 0) return std::optional<Record>();
  PgKeyTable keys(*lease.get());
  MAMORI_ASSIGN_OR_RETURN(Record rec,
                          sealer().OpenRecord(kind, key, r.Int(0, 0), r.Bytes(0, 1), keys));
  return std::optional<Record>(std::move(rec));
}

core::Result<std::vector<Record>> PgStore::ListRecords(const std::string& kind) {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return lease.status();
  MAMORI_ASSIGN_OR_RETURN(
      PgResult r,
      lease.get()->Query(
          "SELECT key, version, body FROM record WHERE kind = $1 ORDER BY key COLLATE \"C\"",
          PgParams().Text(kind)));
  PgKeyTable keys(*lease.get());
  std::vector<Record> out;
  for (int i = 0; i < r.rows(); ++i) {
    MAMORI_ASSIGN_OR_RETURN(
        Record rec, sealer().OpenRecord(kind, r.Text(i, 0), r.Int(i, 1), r.Bytes(i, 2), keys));
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace mamori::store::internal

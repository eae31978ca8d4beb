// SPDX-License-Identifier: Apache-2.0
// The audit ledger inside the PostgreSQL store: keys, leaves sequenced by the
// database across nodes, the node table as a ledger::HashSource, and tree
// heads issued by the node that holds the issuer advisory lock.
#include <deque>

#include <fmt/format.h>

#include "core/logging.h"
#include "crypto/secure_bytes.h"
#include "ledger/hash.h"
#include "ledger/leaf.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_store.h"

namespace mamori::store::internal {
namespace {

constexpr char kLogIdMetaKey[] = "ledger_log_id";

core::Result<std::vector<ledger::Hash>> ReadNodeHashes(PgConn& db,
                                                       std::span<const ledger::NodeId> ids) {
  std::vector<ledger::Hash> out;
  out.reserve(ids.size());
  for (const ledger::NodeId& id : ids) {
    MAMORI_ASSIGN_OR_RETURN(PgResult r,
                            db.Query("SELECT hash FROM ledger_node WHERE level = $1 AND idx = $2",
                                     PgParams().Int(id.level).Int(static_cast<int64_t>(id.index))));
    if (r.rows() == 0) {
      return core::NotFoundError(
          fmt::format("ledger node ({}, {}) is not stored", id.level, id.index));
    }
    std::string hash = r.Bytes(0, 0);
    MAMORI_ASSIGN_OR_RETURN(ledger::Hash h, ledger::ParseHash(crypto::AsBytes(hash)));
    out.push_back(h);
  }
  return out;
}

class ConnNodes final : public ledger::HashSource {
 public:
  explicit ConnNodes(PgConn& db) : db_(db) {}
  core::Result<std::vector<ledger::Hash>> NodeHashes(
      std::span<const ledger::NodeId> ids) const override {
    return ReadNodeHashes(db_, ids);
  }

 private:
  PgConn& db_;
};

core::Result<ledger::LogId> LoadOrCreateLogId(PgConn& db, core::Random& random) {
  MAMORI_ASSIGN_OR_RETURN(PgResult r, db.Query("SELECT value FROM mamori_meta WHERE key = $1",
                                               PgParams().Text(kLogIdMetaKey)));
  if (r.rows() > 0) return ParseLogIdHex(r.Text(0, 0));
  ledger::LogId id{};
  random.Fill(id);
  MAMORI_RETURN_IF_ERROR(db.Query("INSERT INTO mamori_meta (key, value) VALUES ($1, $2)",
                                  PgParams().Text(kLogIdMetaKey).Text(LogIdHex(id)))
                             .status());
  return id;
}

core::Result<uint64_t> StoredLeaves(PgConn& db) {
  MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> size,
                          db.QueryInt("SELECT coalesce(max(idx) + 1, 0) FROM ledger_leaf"));
  return static_cast<uint64_t>(size.value_or(0));
}

}  // namespace

class PgStore::NodeSource final : public ledger::HashSource {
 public:
  explicit NodeSource(PgStore& store) : store_(store) {}
  core::Result<std::vector<ledger::Hash>> NodeHashes(
      std::span<const ledger::NodeId> ids) const override {
    ReadLease lease(store_);
    if (lease.get() == nullptr) return lease.status();
    return ReadNodeHashes(*lease.get(), ids);
  }

 private:
  PgStore& store_;
};

// Keys (created on first open; the ledger lock keeps two nodes opening a new
// database at once from both creating them), the log id, the committed range.
core::Status PgStore::OpenLedger() {
  MAMORI_RETURN_IF_ERROR(writer_->Exec("BEGIN"));
  core::Status s =
      writer_->Query("SELECT pg_advisory_xact_lock($1)", PgParams().Int(kPgLedgerLock)).status();
  PgKeyTable keys(*writer_);
  core::Result<DerivedKeys> derived =
      s.ok() ? LoadDerivedKeys(key_ring_.get(), keys) : core::Result<DerivedKeys>(s);
  core::Result<ledger::LogId> id = derived.ok() ? LoadOrCreateLogId(*writer_, env_.random())
                                                : core::Result<ledger::LogId>(derived.status());
  core::Status commit = id.ok() ? writer_->Exec("COMMIT") : id.status();
  if (!commit.ok()) {
    writer_->Exec("ROLLBACK").IgnoreError();  // reporting the first error
    if (key_ring_) key_ring_->Discard();
    return commit.With("opening the audit ledger");
  }
  if (key_ring_) key_ring_->Commit();
  index_key_ = std::move(derived->index);
  audit_key_ = derived->audit;
  signing_key_ = std::move(derived->signing);
  verifying_key_ = signing_key_->PublicKey();
  log_id_ = *id;
  node_source_ = std::make_unique<NodeSource>(*this);
  return SyncLedger();
}

// The committed log as the database holds it (other nodes append too). Runs
// at open and at the start of every group, under the ledger lock.
core::Status PgStore::SyncLedger() {
  MAMORI_ASSIGN_OR_RETURN(uint64_t size, StoredLeaves(*writer_));
  if (size == live_range_.size() && size == group_range_.size()) return core::Status::Ok();
  ConnNodes nodes(*writer_);
  core::Result<ledger::CompactRange> range = ledger::CompactRange::FromSource(nodes, size);
  if (!range.ok()) {
    return core::DataLossError("the audit ledger's stored tree does not cover its leaves (" +
                               range.status().message() + "); run `mamori audit verify`");
  }
  live_range_ = *range;
  group_range_ = live_range_;
  committed_leaves_ = size;
  return core::Status::Ok();
}

core::Result<uint64_t> PgStore::AppendAuditLeaf(PgConn& db, std::string_view event,
                                                core::Clock::WallTime now) {
  if (event.empty()) return core::InvalidArgumentError("an audit event must not be empty");
  const uint64_t index = group_range_.size();
  auto fail = [&](const core::Status& s) {
    // Whatever the database said, the request cannot be recorded:
    // kUnavailable, so the caller answers 503 (fail closed).
    return core::UnavailableError("the audit event could not be written: " + s.message());
  };
  core::Result<std::string> leaf = sealer().SealLeaf(*audit_key_, index, event, now);
  if (!leaf.ok()) return fail(leaf.status());
  ledger::CompactRange next = group_range_;
  std::vector<ledger::Node> added;
  next.Append(ledger::HashLeaf(crypto::AsBytes(*leaf)), &added);
  std::string sql = "WITH l AS (INSERT INTO ledger_leaf (idx, leaf) VALUES ($1, $2)) ";
  PgParams p;
  p.Int(static_cast<int64_t>(index)).Bytes(*leaf);
  sql += "INSERT INTO ledger_node (level, idx, hash) VALUES ";
  int n = 2;
  for (size_t i = 0; i < added.size(); ++i) {
    if (i > 0) sql += ',';
    sql += fmt::format("(${},${},${})", n + 1, n + 2, n + 3);
    n += 3;
    p.Int(added[i].id.level)
        .Int(static_cast<int64_t>(added[i].id.index))
        .Bytes(std::string_view(reinterpret_cast<const char*>(added[i].hash.data()),
                                added[i].hash.size()));
  }
  core::Status s = db.Query(sql, p).status();
  if (!s.ok()) return fail(s.With("appending ledger leaf ", index));
  group_range_ = std::move(next);
  return index;
}

core::Result<std::vector<std::string>> PgStore::AuditLeaves(uint64_t begin, uint64_t end) {
  if (begin > end || end > AuditTreeSize()) {
    return core::InvalidArgumentError("leaf range outside the committed log");
  }
  ReadLease lease(*this);
  if (lease.get() == nullptr) return lease.status();
  MAMORI_ASSIGN_OR_RETURN(
      PgResult r, lease.get()->Query(
                      "SELECT idx, leaf FROM ledger_leaf WHERE idx >= $1 AND "
                      "idx < $2 ORDER BY idx",
                      PgParams().Int(static_cast<int64_t>(begin)).Int(static_cast<int64_t>(end))));
  std::vector<std::string> leaves;
  for (int i = 0; i < r.rows(); ++i) {
    if (r.Int(i, 0) != static_cast<int64_t>(begin + leaves.size())) break;
    leaves.push_back(r.Bytes(i, 1));
  }
  if (leaves.size() != end - begin) {
    return core::DataLossError(fmt::format("ledger leaf {} is missing", begin + leaves.size()));
  }
  return leaves;
}

core::Result<std::string> PgStore::OpenAuditLeaf(std::string_view bytes) {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return lease.status();
  PgKeyTable keys(*lease.get());
  return sealer().OpenLeaf(audit_key_, bytes, &keys);
}

// Inside a Write body on the committer thread, under the ledger lock: the
// head covers every leaf any node committed before this group, plus the
// group's own so far.
core::Status PgStore::SignAndStoreHead(PgConn& db, std::string* sth) {
  ledger::TreeHead head{
      .log_id = log_id_,
      .tree_size = group_range_.size(),
      .root_hash = group_range_.Root(),
      .timestamp_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                env_.clock().Now().time_since_epoch())
                                                .count())};
  MAMORI_ASSIGN_OR_RETURN(ledger::SignedTreeHead signed_head, head.Sign(*signing_key_));
  *sth = signed_head.Serialize();
  return db
      .Query("INSERT INTO ledger_sth (tree_size, sth) VALUES ($1, $2)",
             PgParams().Int(static_cast<int64_t>(head.tree_size)).Bytes(*sth))
      .status();
}

core::Status PgStore::ExportTreeHead(const std::string& sth) {
  if (options_.tree_head_export_path.empty()) return core::Status::Ok();
  MAMORI_ASSIGN_OR_RETURN(auto file,
                          env_.fs().NewAppendableFile(options_.tree_head_export_path, 0640));
  MAMORI_RETURN_IF_ERROR(file->Append(sth));
  MAMORI_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

core::Result<std::string> PgStore::IssueTreeHead() {
  std::lock_guard lock(heads_mu_);
  std::string sth;
  MAMORI_RETURN_IF_ERROR(Write([&](Transaction&) { return SignAndStoreHead(*writer_, &sth); }));
  MAMORI_RETURN_IF_ERROR(ExportTreeHead(sth).With("exporting the tree head"));
  return sth;
}

core::Result<std::vector<std::string>> PgStore::TreeHeads() {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return lease.status();
  MAMORI_ASSIGN_OR_RETURN(PgResult r,
                          lease.get()->Query("SELECT sth FROM ledger_sth ORDER BY seq"));
  std::vector<std::string> heads;
  for (int i = 0; i < r.rows(); ++i) heads.push_back(r.Bytes(i, 0));
  return heads;
}

// True while this node holds the issuer lock (a session lock on its own
// connection: released by PostgreSQL when the node stops or dies).
bool PgStore::HoldIssuerLock() {
  if (issuer_conn_ && issuer_conn_->healthy()) return true;
  issuer_conn_.reset();
  auto conn = PgConn::Connect(options_.path);
  if (!conn.ok()) return false;
  auto got =
      (*conn)->QueryInt("SELECT pg_try_advisory_lock($1)::int", PgParams().Int(kPgIssuerLock));
  if (!got.ok() || !*got || **got != 1) return false;
  issuer_conn_ = std::move(*conn);
  core::LogInfo("audit ledger: this node now issues the tree heads");
  return true;
}

// Whether leaves were committed (by any node) since the newest stored head.
core::Result<bool> PgStore::LogGrewSinceLastHead() {
  MAMORI_ASSIGN_OR_RETURN(uint64_t leaves, StoredLeaves(*issuer_conn_));
  MAMORI_ASSIGN_OR_RETURN(
      std::optional<int64_t> head,
      issuer_conn_->QueryInt("SELECT tree_size FROM ledger_sth ORDER BY seq DESC LIMIT 1"));
  return leaves != static_cast<uint64_t>(head.value_or(0));
}

// A tick of head_timer_: the node holding the issuer lock signs a head when
// the log grew; the others wait to take over when it stops.
void PgStore::IssueHeadIfGrown() {
  if (!HoldIssuerLock()) return;
  core::Result<bool> grew = LogGrewSinceLastHead();
  if (!grew.ok() || !*grew) return;
  core::Result<std::string> sth = IssueTreeHead();
  if (!sth.ok()) core::LogError("audit ledger: issuing a tree head failed: {}", sth.status());
}

// Stops the issuer; the issuing node signs a last head over everything
// committed, then releases the lock (closing its connection) for the others.
void PgStore::StopTreeHeads() {
  head_timer_.Stop();
  if (options_.tree_head_interval_ms > 0 && node_source_ && WriteHealth().ok() &&
      HoldIssuerLock()) {
    core::Result<bool> grew = LogGrewSinceLastHead();
    if (grew.ok() && *grew) {
      core::Result<std::string> sth = IssueTreeHead();
      if (!sth.ok()) core::LogError("audit ledger: the final tree head failed: {}", sth.status());
    }
  }
  issuer_conn_.reset();
}

core::Status PgReadAuditLog(const std::string& url,
                            const std::function<core::Status(const AuditRow&)>& on_row,
                            std::vector<std::string>* tree_heads) {
  MAMORI_ASSIGN_OR_RETURN(auto db, PgConn::Connect(url));
  MAMORI_RETURN_IF_ERROR(db->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  // Batches of leaves, so a long log is not held in memory at once.
  int64_t next = 0;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(
        PgResult r, db->Query("SELECT l.idx, l.leaf, n.hash FROM ledger_leaf l LEFT JOIN "
                              "ledger_node n ON n.level = 0 AND n.idx = l.idx WHERE l.idx >= $1 "
                              "ORDER BY l.idx LIMIT 10000",
                              PgParams().Int(next)));
    if (r.rows() == 0) break;
    AuditRow row;
    for (int i = 0; i < r.rows(); ++i) {
      row.index = r.Int(i, 0);
      row.leaf = r.Bytes(i, 1);
      row.stored_hash = r.IsNull(i, 2) ? "" : r.Bytes(i, 2);
      MAMORI_RETURN_IF_ERROR(on_row(row));
      next = row.index + 1;
    }
  }
  MAMORI_ASSIGN_OR_RETURN(PgResult heads, db->Query("SELECT sth FROM ledger_sth ORDER BY seq"));
  for (int i = 0; tree_heads != nullptr && i < heads.rows(); ++i) {
    tree_heads->push_back(heads.Bytes(i, 0));
  }
  return db->Exec("COMMIT");
}

core::Status PgReadAuditEvents(
    const std::string& url, const crypto::AeadKey& kek,
    const std::function<core::Status(uint64_t index, std::string_view json)>& on_event) {
  MAMORI_ASSIGN_OR_RETURN(auto db, PgConn::Connect(url));
  MAMORI_ASSIGN_OR_RETURN(auto keys_db, PgConn::Connect(url));
  PgKeyTable keys(*keys_db);
  std::deque<crypto::AeadKey> cache;
  MAMORI_RETURN_IF_ERROR(db->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  int64_t next = 0;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(PgResult r,
                            db->Query("SELECT idx, leaf FROM ledger_leaf WHERE idx >= $1 "
                                      "ORDER BY idx LIMIT 10000",
                                      PgParams().Int(next)));
    if (r.rows() == 0) break;
    for (int i = 0; i < r.rows(); ++i) {
      int64_t index = r.Int(i, 0);
      next = index + 1;
      auto fail = [&](std::string_view why) {
        return core::DataLossError(
            fmt::format("ledger leaf {} {}; run `mamori audit verify`", index, why));
      };
      std::string bytes = r.Bytes(i, 1);
      core::Result<ledger::Leaf> leaf = ledger::DecodeLeaf(crypto::AsBytes(bytes));
      if (!leaf.ok()) return fail("does not decode");
      const crypto::AeadKey* key = nullptr;
      for (const crypto::AeadKey& k : cache) {
        if (k.id() == leaf->key_id) key = &k;
      }
      if (key == nullptr) {
        auto wrapped = keys.FindById(leaf->key_id);
        if (!wrapped.ok() || !*wrapped) return fail("has no usable key");
        auto unwrapped = KeyRing::Unwrap(kek, **wrapped);
        if (!unwrapped.ok()) return fail("has no usable key");
        cache.push_back(std::move(*unwrapped));
        key = &cache.back();
      }
      core::Result<crypto::SecureBytes> plain = crypto::Aead::Open(
          *key, crypto::AsBytes(leaf->ciphertext), crypto::AsBytes(LedgerLeafAad(leaf->sequence)));
      if (!plain.ok()) return fail("failed its integrity check");
      MAMORI_RETURN_IF_ERROR(
          on_event(static_cast<uint64_t>(index),
                   std::string_view(reinterpret_cast<const char*>(plain->data()), plain->size())));
    }
  }
  return db->Exec("COMMIT");
}

core::Status PgRewrapDataKeys(const StoreOptions& options, const crypto::AeadKey& new_kek,
                              core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(auto db, PgConn::Connect(options.path));
  MAMORI_RETURN_IF_ERROR(MigratePgSchema(*db));
  MAMORI_RETURN_IF_ERROR(db->Exec("BEGIN"));
  auto fail = [&](core::Status s) {
    db->Exec("ROLLBACK").IgnoreError();  // the original error matters more
    return s;
  };
  core::Status locked =
      db->Query("SELECT pg_advisory_xact_lock($1)", PgParams().Int(kPgLedgerLock)).status();
  if (!locked.ok()) return fail(locked);
  auto rows = db->Query("SELECT key_id, compartment, wrapped FROM data_key FOR UPDATE");
  if (!rows.ok()) return fail(rows.status());
  for (int i = 0; i < rows->rows(); ++i) {
    WrappedKey old;
    std::string id_bytes = rows->Bytes(i, 0);
    auto id = crypto::AeadKeyId::FromBytes(crypto::AsBytes(id_bytes));
    if (!id.ok()) return fail(core::DataLossError("a data key row has a malformed id"));
    old.key_id = *id;
    old.compartment = rows->Text(i, 1);
    old.wrapped = rows->Bytes(i, 2);
    auto dek = KeyRing::Unwrap(*options.kek, old);
    if (!dek.ok()) {
      return fail(core::DataLossError("a data key does not unwrap under the current master key"));
    }
    auto rewrapped = KeyRing::Wrap(new_kek, *dek, old.compartment, env.random());
    if (!rewrapped.ok()) return fail(rewrapped.status());
    core::Status s = db->Query("UPDATE data_key SET wrapped = $1 WHERE key_id = $2",
                               PgParams().Bytes(rewrapped->wrapped).Bytes(id_bytes))
                         .status();
    if (!s.ok()) return fail(s);
  }
  return db->Exec("COMMIT");
}

}  // namespace mamori::store::internal

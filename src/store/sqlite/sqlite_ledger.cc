// SPDX-License-Identifier: Apache-2.0
// The audit ledger inside the SQLite store (issue 6): the audit and signing
// keys, leaf appends inside the group's transaction, the node table as a
// ledger::HashSource, and signed tree heads (issued, stored, exported).
#include "store/sqlite/sqlite_ledger.h"

#include <deque>

#include <fmt/format.h>

#include "core/logging.h"
#include "crypto/secure_bytes.h"
#include "ledger/hash.h"
#include "ledger/leaf.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_conn.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_transaction.h"

namespace mamori::store::internal {
namespace {

// Reserved compartments ('#' cannot occur in a FHIR id): each holds a random
// key wrapped by the KEK like a data key, so `mamori key rotate` rewraps them
// with the rest and neither is derived from the KEK alone.
constexpr char kAuditCompartment[] = "#audit";
constexpr char kSigningCompartment[] = "#ledger-signing";
// The Ed25519 seed is derived from the #ledger-signing key with its own label.
constexpr char kSigningLabel[] = "mamori.ledger.signing.v1";
constexpr char kLogIdMetaKey[] = "ledger_log_id";

uint64_t MillisOf(core::Clock::WallTime t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

core::Status InsertNodes(SqliteDb& db, const std::vector<ledger::Node>& nodes) {
  for (const ledger::Node& n : nodes) {
    MAMORI_ASSIGN_OR_RETURN(
        Statement * insert,
        db.Prepare("INSERT INTO ledger_node (level, idx, hash) VALUES (?,?,?)"));
    insert->Bind(1, int64_t{n.id.level});
    insert->Bind(2, static_cast<int64_t>(n.id.index));
    insert->BindBlob(3, std::span<const uint8_t>(n.hash));
    MAMORI_RETURN_IF_ERROR(insert->Run());
  }
  return core::Status::Ok();
}

// The log id: 16 random bytes chosen the first time the ledger opens, kept
// (hex) in mamori_meta.
core::Result<ledger::LogId> LoadOrCreateLogId(SqliteDb& db, core::Random& random) {
  MAMORI_ASSIGN_OR_RETURN(Statement * select,
                          db.Prepare("SELECT value FROM mamori_meta WHERE key = ?"));
  select->Bind(1, std::string_view(kLogIdMetaKey));
  MAMORI_ASSIGN_OR_RETURN(bool row, select->Step());
  std::string hex = row ? select->ColumnText(0) : "";
  select->Reset();
  ledger::LogId id{};
  if (hex.size() == 2 * id.size()) {
    for (size_t i = 0; i < id.size(); ++i) {
      id[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    }
    return id;
  }
  if (row) return core::DataLossError("mamori_meta holds a malformed ledger log id");
  random.Fill(id);
  hex.clear();
  for (uint8_t b : id) hex += fmt::format("{:02x}", b);
  MAMORI_ASSIGN_OR_RETURN(Statement * insert,
                          db.Prepare("INSERT INTO mamori_meta (key, value) VALUES (?, ?)"));
  insert->Bind(1, std::string_view(kLogIdMetaKey));
  insert->Bind(2, hex);
  MAMORI_RETURN_IF_ERROR(insert->Run());
  return id;
}

}  // namespace

core::Result<std::vector<ledger::Hash>> ReadNodeHashes(SqliteDb& db,
                                                       std::span<const ledger::NodeId> ids) {
  std::vector<ledger::Hash> out;
  out.reserve(ids.size());
  MAMORI_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("SELECT hash FROM ledger_node WHERE level = ? AND idx = ?"));
  for (const ledger::NodeId& id : ids) {
    stmt->Bind(1, int64_t{id.level});
    stmt->Bind(2, static_cast<int64_t>(id.index));
    MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) {
      return core::NotFoundError(
          fmt::format("ledger node ({}, {}) is not stored", id.level, id.index));
    }
    std::string hash = stmt->ColumnBlob(0);
    stmt->Reset();
    MAMORI_ASSIGN_OR_RETURN(ledger::Hash h, ledger::ParseHash(crypto::AsBytes(hash)));
    out.push_back(h);
  }
  return out;
}

class SqliteStore::NodeSource final : public ledger::HashSource {
 public:
  explicit NodeSource(SqliteStore& store) : store_(store) {}
  core::Result<std::vector<ledger::Hash>> NodeHashes(
      std::span<const ledger::NodeId> ids) const override {
    ReadLease lease(store_);
    if (lease.get() == nullptr) return core::UnavailableError("no database connection available");
    return ReadNodeHashes(*lease.get(), ids);
  }

 private:
  SqliteStore& store_;
};

core::Status SqliteStore::LoadLedgerKeys() {
  if (!options_.encrypt) {
    // Benchmark-only plaintext store: fixed keys, since nothing is secret there.
    std::array<uint8_t, 16> id{};
    std::array<uint8_t, 32> bytes{};
    MAMORI_ASSIGN_OR_RETURN(crypto::AeadKeyId key_id, crypto::AeadKeyId::FromBytes(id));
    MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey key, crypto::AeadKey::Import(key_id, bytes));
    audit_key_ = std::make_shared<const crypto::AeadKey>(std::move(key));
    MAMORI_ASSIGN_OR_RETURN(signing_key_, crypto::SigningKey::Import(bytes));
    return core::Status::Ok();
  }
  SqliteKeyTable keys(*writer_);
  MAMORI_ASSIGN_OR_RETURN(audit_key_, key_ring_->ForCompartment(kAuditCompartment, keys));
  MAMORI_ASSIGN_OR_RETURN(auto root, key_ring_->ForCompartment(kSigningCompartment, keys));
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes seed,
      crypto::HkdfSha256(root->ExportKeyBytes(), {}, crypto::AsBytes(kSigningLabel),
                         crypto::SigningKey::kSeedSize));
  MAMORI_ASSIGN_OR_RETURN(signing_key_, crypto::SigningKey::Import(seed.span()));
  return core::Status::Ok();
}

// Keys, log id and the compact range of the committed log. A log whose nodes
// do not cover its leaves is damaged: the store refuses to open (fail closed)
// and says how to find out more.
core::Status SqliteStore::OpenLedger() {
  MAMORI_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
  core::Status s = LoadLedgerKeys();
  core::Result<ledger::LogId> id =
      s.ok() ? LoadOrCreateLogId(*writer_, env_.random()) : core::Result<ledger::LogId>(s);
  core::Status commit = id.ok() ? writer_->Exec("COMMIT") : id.status();
  if (!commit.ok()) {
    writer_->Exec("ROLLBACK").IgnoreError();  // reporting the first error
    if (key_ring_) key_ring_->Discard();
    return commit.With("opening the audit ledger");
  }
  if (key_ring_) key_ring_->Commit();
  log_id_ = *id;
  verifying_key_ = signing_key_->PublicKey();

  MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> size,
                          writer_->QueryInt("SELECT coalesce(max(idx) + 1, 0) FROM ledger_leaf"));
  WriterNodes nodes(*writer_);
  core::Result<ledger::CompactRange> range =
      ledger::CompactRange::FromSource(nodes, static_cast<uint64_t>(size.value_or(0)));
  if (!range.ok()) {
    return core::DataLossError("the audit ledger's stored tree does not cover its leaves (" +
                               range.status().message() +
                               "); run `mamori audit verify` on the data directory");
  }
  MAMORI_ASSIGN_OR_RETURN(
      std::optional<int64_t> last_head,
      writer_->QueryInt("SELECT tree_size FROM ledger_sth ORDER BY seq DESC LIMIT 1"));
  {
    std::lock_guard lock(heads_mu_);
    last_head_size_ = last_head ? static_cast<uint64_t>(*last_head) : 0;  // 0: nothing to sign
  }
  live_range_ = *range;
  group_range_ = live_range_;
  committed_leaves_ = live_range_.size();
  node_source_ = std::make_unique<NodeSource>(*this);
  return core::Status::Ok();
}

core::Result<uint64_t> SqliteStore::AppendAuditLeaf(SqliteDb& db, std::string_view event,
                                                    core::Clock::WallTime now) {
  if (event.empty()) return core::InvalidArgumentError("an audit event must not be empty");
  core::Result<uint64_t> index = InsertAuditLeaf(db, event, now);
  if (index.ok()) return index;
  // Whatever the database said (full disk, constraint, I/O), the request
  // cannot be recorded: kUnavailable, so the caller answers 503 (fail closed).
  return core::UnavailableError("the audit event could not be written: " +
                                index.status().message());
}

core::Result<uint64_t> SqliteStore::InsertAuditLeaf(SqliteDb& db, std::string_view event,
                                                    core::Clock::WallTime now) {
  const uint64_t index = group_range_.size();
  std::string aad = LedgerLeafAad(index);
  MAMORI_ASSIGN_OR_RETURN(
      std::string envelope,
      crypto::Aead::Seal(*audit_key_, crypto::AsBytes(event), crypto::AsBytes(aad), env_.random()));
  MAMORI_ASSIGN_OR_RETURN(std::string leaf,
                          ledger::EncodeLeaf({.key_id = audit_key_->id(),
                                              .sequence = index,
                                              .timestamp_ms = MillisOf(now),
                                              .ciphertext = std::move(envelope)}));
  MAMORI_ASSIGN_OR_RETURN(Statement * insert,
                          db.Prepare("INSERT INTO ledger_leaf (idx, leaf) VALUES (?, ?)"));
  insert->Bind(1, static_cast<int64_t>(index));
  insert->BindBlob(2, leaf);
  MAMORI_RETURN_IF_ERROR(insert->Run().With("appending ledger leaf ", index));
  ledger::CompactRange next = group_range_;
  std::vector<ledger::Node> added;
  next.Append(ledger::HashLeaf(crypto::AsBytes(leaf)), &added);
  MAMORI_RETURN_IF_ERROR(InsertNodes(db, added).With("appending ledger leaf ", index));
  group_range_ = std::move(next);
  return index;
}

core::Result<std::vector<std::string>> SqliteStore::AuditLeaves(uint64_t begin, uint64_t end) {
  if (begin > end || end > AuditTreeSize()) {
    return core::InvalidArgumentError("leaf range outside the committed log");
  }
  ReadLease lease(*this);
  if (lease.get() == nullptr) return core::UnavailableError("no database connection available");
  MAMORI_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease.get()->Prepare("SELECT idx, leaf FROM ledger_leaf WHERE idx >= ? AND idx < ? "
                           "ORDER BY idx"));
  stmt->Bind(1, static_cast<int64_t>(begin));
  stmt->Bind(2, static_cast<int64_t>(end));
  std::vector<std::string> leaves;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    if (stmt->ColumnInt(0) != static_cast<int64_t>(begin + leaves.size())) {
      stmt->Reset();
      return core::DataLossError(fmt::format("ledger leaf {} is missing", begin + leaves.size()));
    }
    leaves.push_back(stmt->ColumnBlob(1));
  }
  if (leaves.size() != end - begin) {
    return core::DataLossError(fmt::format("ledger leaf {} is missing", begin + leaves.size()));
  }
  return leaves;
}

core::Result<std::string> SqliteStore::OpenAuditLeaf(std::string_view bytes) {
  MAMORI_ASSIGN_OR_RETURN(ledger::Leaf leaf, ledger::DecodeLeaf(crypto::AsBytes(bytes)));
  std::shared_ptr<const crypto::AeadKey> key = audit_key_;
  if (key_ring_ && !(leaf.key_id == audit_key_->id())) {
    ReadLease lease(*this);
    if (lease.get() == nullptr) return core::UnavailableError("no database connection available");
    SqliteKeyTable keys(*lease.get());
    MAMORI_ASSIGN_OR_RETURN(key, key_ring_->ForId(leaf.key_id, keys));
  }
  std::string aad = LedgerLeafAad(leaf.sequence);
  core::Result<crypto::SecureBytes> plain =
      crypto::Aead::Open(*key, crypto::AsBytes(leaf.ciphertext), crypto::AsBytes(aad));
  if (!plain.ok()) {
    return core::DataLossError(
        fmt::format("ledger leaf {} failed its integrity check", leaf.sequence));
  }
  return std::string(reinterpret_cast<const char*>(plain->data()), plain->size());
}

// Runs inside a Write body on the committer thread: the head covers the
// group's range as of this body, and its row commits with those leaves.
core::Status SqliteStore::SignAndStoreHead(std::string* sth) {
  ledger::TreeHead head{.log_id = log_id_,
                        .tree_size = group_range_.size(),
                        .root_hash = group_range_.Root(),
                        .timestamp_ms = MillisOf(env_.clock().Now())};
  MAMORI_ASSIGN_OR_RETURN(ledger::SignedTreeHead signed_head, head.Sign(*signing_key_));
  *sth = signed_head.Serialize();
  MAMORI_ASSIGN_OR_RETURN(
      Statement * insert,
      writer_->Prepare("INSERT INTO ledger_sth (tree_size, sth) VALUES (?, ?)"));
  insert->Bind(1, static_cast<int64_t>(head.tree_size));
  insert->BindBlob(2, *sth);
  return insert->Run();
}

core::Status SqliteStore::ExportTreeHead(const std::string& sth) {
  if (options_.tree_head_export_path.empty()) return core::Status::Ok();
  MAMORI_ASSIGN_OR_RETURN(auto file,
                          env_.fs().NewAppendableFile(options_.tree_head_export_path, 0640));
  MAMORI_RETURN_IF_ERROR(file->Append(sth));
  MAMORI_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

core::Result<std::string> SqliteStore::IssueTreeHead() {
  std::lock_guard lock(heads_mu_);
  std::string sth;
  MAMORI_RETURN_IF_ERROR(Write([&](Transaction&) { return SignAndStoreHead(&sth); }));
  MAMORI_ASSIGN_OR_RETURN(ledger::SignedTreeHead parsed,
                          ledger::SignedTreeHead::Parse(crypto::AsBytes(sth)));
  last_head_size_ = parsed.head().tree_size;
  MAMORI_RETURN_IF_ERROR(ExportTreeHead(sth).With("exporting the tree head"));
  return sth;
}

core::Result<std::vector<std::string>> SqliteStore::TreeHeads() {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return core::UnavailableError("no database connection available");
  MAMORI_ASSIGN_OR_RETURN(Statement * stmt,
                          lease.get()->Prepare("SELECT sth FROM ledger_sth ORDER BY seq"));
  std::vector<std::string> heads;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    heads.push_back(stmt->ColumnBlob(0));
  }
  return heads;
}

// A tick of head_timer_ (every tree_head_interval_ms, or sooner once
// tree_head_every_leaves leaves were committed): signs a head only when the
// log grew. A failure is logged and retried at the next tick.
void SqliteStore::IssueHeadIfGrown() {
  bool grew;
  {
    std::lock_guard lock(heads_mu_);
    grew = last_head_size_ != AuditTreeSize();
  }
  if (!grew) return;
  core::Result<std::string> sth = IssueTreeHead();
  if (!sth.ok()) core::LogError("audit ledger: issuing a tree head failed: {}", sth.status());
}

// Stops the issuer and signs a last head over everything committed, so the
// export file ends with the log's final state.
void SqliteStore::StopTreeHeads() {
  head_timer_.Stop();
  if (!node_source_ || !WriteHealth().ok()) return;
  bool grew;
  {
    std::lock_guard lock(heads_mu_);
    grew = last_head_size_ != AuditTreeSize();
  }
  if (grew && options_.tree_head_interval_ms > 0) {
    core::Result<std::string> sth = IssueTreeHead();
    if (!sth.ok()) core::LogError("audit ledger: the final tree head failed: {}", sth.status());
  }
}

core::Status ReadAuditLog(const std::string& path,
                          const std::function<core::Status(const AuditRow&)>& on_row,
                          std::vector<std::string>* tree_heads) {
  MAMORI_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, /*read_only=*/true, ""));
  MAMORI_ASSIGN_OR_RETURN(
      Statement * leaves,
      db->Prepare("SELECT l.idx, l.leaf, n.hash FROM ledger_leaf l LEFT JOIN ledger_node n "
                  "ON n.level = 0 AND n.idx = l.idx ORDER BY l.idx"));
  AuditRow row;
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool more, leaves->Step());
    if (!more) break;
    row.index = leaves->ColumnInt(0);
    row.leaf = leaves->ColumnBlob(1);
    row.stored_hash = leaves->ColumnIsNull(2) ? "" : leaves->ColumnBlob(2);
    core::Status s = on_row(row);
    if (!s.ok()) {
      leaves->Reset();
      return s;
    }
  }
  MAMORI_ASSIGN_OR_RETURN(Statement * heads,
                          db->Prepare("SELECT sth FROM ledger_sth ORDER BY seq"));
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool more, heads->Step());
    if (!more) break;
    if (tree_heads != nullptr) tree_heads->push_back(heads->ColumnBlob(0));
  }
  return core::Status::Ok();
}

// Key-by-id lookups for ReadAuditEvents: each audit key is unwrapped once.
class AuditKeyCache {
 public:
  AuditKeyCache(SqliteDb& db, const crypto::AeadKey& kek) : keys_(db), kek_(kek) {}
  core::Result<const crypto::AeadKey*> Get(const crypto::AeadKeyId& id) {
    for (const crypto::AeadKey& k : cache_) {
      if (k.id() == id) return &k;
    }
    MAMORI_ASSIGN_OR_RETURN(std::optional<WrappedKey> wrapped, keys_.FindById(id));
    if (!wrapped) return core::DataLossError("an audit leaf names an unknown key");
    MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey key, KeyRing::Unwrap(kek_, *wrapped));
    cache_.push_back(std::move(key));
    return &cache_.back();
  }

 private:
  SqliteKeyTable keys_;
  const crypto::AeadKey& kek_;
  std::deque<crypto::AeadKey> cache_;
};

core::Status ReadAuditEvents(
    const std::string& path, const crypto::AeadKey& kek,
    const std::function<core::Status(uint64_t index, std::string_view json)>& on_event,
    uint64_t first_index) {
  MAMORI_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, /*read_only=*/true, ""));
  MAMORI_ASSIGN_OR_RETURN(auto keys_db, SqliteDb::Open(path, /*read_only=*/true, ""));
  AuditKeyCache keys(*keys_db, kek);
  MAMORI_ASSIGN_OR_RETURN(
      Statement * leaves,
      db->Prepare("SELECT idx, leaf FROM ledger_leaf WHERE idx >= ?1 ORDER BY idx"));
  leaves->Bind(1, static_cast<int64_t>(std::min<uint64_t>(first_index, INT64_MAX)));
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(bool more, leaves->Step());
    if (!more) break;
    int64_t index = leaves->ColumnInt(0);
    std::string bytes = leaves->ColumnBlob(1);
    auto fail = [&](std::string_view why) {
      leaves->Reset();
      return core::DataLossError(
          fmt::format("ledger leaf {} {}; run `mamori audit verify`", index, why));
    };
    core::Result<ledger::Leaf> leaf = ledger::DecodeLeaf(crypto::AsBytes(bytes));
    if (!leaf.ok()) return fail("does not decode");
    core::Result<const crypto::AeadKey*> key = keys.Get(leaf->key_id);
    if (!key.ok()) return fail("has no usable key");
    core::Result<crypto::SecureBytes> plain = crypto::Aead::Open(
        **key, crypto::AsBytes(leaf->ciphertext), crypto::AsBytes(LedgerLeafAad(leaf->sequence)));
    if (!plain.ok()) return fail("failed its integrity check");
    core::Status s =
        on_event(static_cast<uint64_t>(index),
                 std::string_view(reinterpret_cast<const char*>(plain->data()), plain->size()));
    if (!s.ok()) {
      leaves->Reset();
      return s;
    }
  }
  return core::Status::Ok();
}

}  // namespace mamori::store::internal

namespace mamori::store {
core::Status ReadAuditEvents(
    const std::string& path, const crypto::AeadKey& kek,
    const std::function<core::Status(uint64_t index, std::string_view json)>& on_event,
    uint64_t first_index) {
  if (internal::IsPostgresUrl(path)) {
    return internal::PgReadAuditEvents(
        path, kek, [&](uint64_t index, std::string_view json) -> core::Status {
          return index < first_index ? core::Status::Ok() : on_event(index, json);
        });
  }
  return internal::ReadAuditEvents(path, kek, on_event, first_index);
}
core::Status ReadAuditLog(const std::string& path,
                          const std::function<core::Status(const AuditRow&)>& on_row,
                          std::vector<std::string>* tree_heads) {
  if (internal::IsPostgresUrl(path)) return internal::PgReadAuditLog(path, on_row, tree_heads);
  return internal::ReadAuditLog(path, on_row, tree_heads);
}
}  // namespace mamori::store

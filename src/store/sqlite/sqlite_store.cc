// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>

#include "core/logging.h"
#include "crypto/secure_bytes.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_transaction.h"

namespace mamori::store::internal {
namespace {

core::Status ApplyWriterPragmas(SqliteDb& db, const StoreOptions& options) {
  // WAL: readers never wait for the writer. synchronous=FULL: a commit is
  // durable when COMMIT returns (the WAL is fsynced), which group commit
  // makes affordable.
  MAMORI_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
  MAMORI_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  MAMORI_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size=-" + std::to_string(options.writer_cache_kib)));
  // Each body runs in a savepoint, whose statement journal keeps the original
  // of every page the body changes that the group had already changed (most
  // index pages). With the default temp_store it spills to a temporary file
  // past 64 KiB, so a create wrote ~150 KB of journal through the kernel
  // (store_create_benchmark). In memory it costs a few pages per body.
  MAMORI_RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY"));
  if (options.checkpoint_interval_ms > 0) {
    // The checkpoint thread copies the WAL into the database instead.
    MAMORI_RETURN_IF_ERROR(db.Exec("PRAGMA wal_autocheckpoint=0"));
  }
  return db.Exec("PRAGMA foreign_keys=ON");
}

}  // namespace

SqliteStore::SqliteStore(const StoreOptions& options, core::Env& env)
    : options_(options), env_(env), writes_(options.max_group_size) {}

core::Result<std::unique_ptr<Store>> SqliteStore::Create(const StoreOptions& options,
                                                         core::Env& env) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(options, env));
  MAMORI_RETURN_IF_ERROR(store->Open());
  store->committer_ = std::thread([s = store.get()] {
    s->writes_.Drain([s](std::vector<Pending*>& group) { s->RunGroup(group); });
  });
  if (options.checkpoint_interval_ms > 0) {
    MAMORI_ASSIGN_OR_RETURN(store->checkpointer_db_,
                            SqliteDb::Open(options.path, false, options.vfs_name_for_test));
    store->checkpointer_ = std::thread([s = store.get()] { s->CheckpointLoop(); });
  }
  if (options.tree_head_interval_ms > 0) {
    store->head_timer_.Start(std::chrono::milliseconds(options.tree_head_interval_ms),
                             options.tree_head_every_leaves,
                             [s = store.get()] { s->IssueHeadIfGrown(); });
  }
  return std::unique_ptr<Store>(std::move(store));
}

core::Status SqliteStore::Open() {
  if (options_.encrypt) key_ring_ = std::make_unique<KeyRing>(*options_.kek, env_.random());
  MAMORI_ASSIGN_OR_RETURN(writer_,
                          SqliteDb::Open(options_.path, false, options_.vfs_name_for_test));
  MAMORI_RETURN_IF_ERROR(ApplyWriterPragmas(*writer_, options_));
  MAMORI_RETURN_IF_ERROR(MigrateSqliteSchema(*writer_).With(options_.path));
  MAMORI_RETURN_IF_ERROR(LoadIndexKey());
  MAMORI_RETURN_IF_ERROR(RebuildIndexIfNeeded().With(options_.path));
  MAMORI_RETURN_IF_ERROR(OpenLedger());
  std::lock_guard lock(readers_mu_);
  for (size_t i = 0; i < options_.read_connections; ++i) {
    MAMORI_ASSIGN_OR_RETURN(auto reader,
                            SqliteDb::Open(options_.path, false, options_.vfs_name_for_test));
    MAMORI_RETURN_IF_ERROR(reader->Exec("PRAGMA query_only=ON"));
    readers_.push_back(std::move(reader));
  }
  MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> recent,
                          writer_->QueryInt("SELECT count(*) FROM search_index_recent"));
  recent_rows_ = group_recent_rows_ = recent.value_or(0);
  return core::Status::Ok();
}

SqliteStore::~SqliteStore() {
  StopTreeHeads();  // signs the last head while the committer still runs
  {
    std::lock_guard lock(mu_);
    stopping_ = true;  // the checkpointer's
  }
  writes_.Stop();
  checkpoint_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  MergeIndexOnClose();  // the committer is gone: this thread has the writer now
  if (checkpointer_.joinable()) checkpointer_.join();
}

namespace {

// Slice `i` of `n` of the hash space: [lo, hi) by the first two bytes of the
// hash (blobs compare bytewise, a prefix before its extensions). The last
// slice ends above every 16-byte hash.
std::pair<std::string, std::string> SliceBounds(int64_t i, int64_t n) {
  auto prefix = [](int64_t v) {
    return std::string{static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
  };
  std::string lo = i == 0 ? std::string() : prefix(i * 65536 / n);
  std::string hi =
      i + 1 == n ? std::string(kIndexHashSize + 1, '\xff') : prefix((i + 1) * 65536 / n);
  return {lo, hi};
}

}  // namespace

core::Result<int64_t> SqliteStore::MergeIndexRange(std::string_view lo, std::string_view hi) {
  MAMORI_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
  int64_t moved = 0;
  auto move = [&]() -> core::Status {
    // In hash order: the inserts fill one contiguous run of search_index pages.
    MAMORI_ASSIGN_OR_RETURN(
        Statement * copy,
        writer_->Prepare("INSERT OR IGNORE INTO search_index (hash, rid, low, high) "
                         "SELECT hash, rid, low, high FROM search_index_recent "
                         "WHERE hash >= ?1 AND hash < ?2 ORDER BY hash, rid, low, high"));
    copy->BindBlob(1, lo);
    copy->BindBlob(2, hi);
    MAMORI_RETURN_IF_ERROR(copy->Run());
    MAMORI_ASSIGN_OR_RETURN(
        Statement * clear,
        writer_->Prepare("DELETE FROM search_index_recent WHERE hash >= ?1 AND hash < ?2"));
    clear->BindBlob(1, lo);
    clear->BindBlob(2, hi);
    MAMORI_RETURN_IF_ERROR(clear->Run());
    moved = sqlite3_changes(writer_->handle());
    return writer_->Exec("COMMIT");
  };
  core::Status s = move();
  if (!s.ok()) {
    writer_->Exec("ROLLBACK").IgnoreError();  // the connection may have rolled back already
    writes_.Latch(s.With("merging the search index"));
    return core::UnavailableError("the search index merge was not committed: " + s.message());
  }
  recent_rows_ -= moved;
  group_recent_rows_ = recent_rows_;
  return moved;
}

void SqliteStore::MergeIndexStep(int64_t added) {
  const auto slices = static_cast<int64_t>(std::max<uint32_t>(options_.index_merge_slices, 1));
  if (options_.index_merge_rows == 0) return;
  // At least one slice while a merge is under way, and more until the step
  // moved as many rows as the group added; a cycle that ends short starts
  // the next one if the small table is still over the threshold (slices are
  // hash ranges, so their sizes vary).
  int64_t moved = 0;
  bool first = true;
  while (first || moved < added) {
    first = false;
    if (merge_next_slice_ < 0) {
      if (recent_rows_ < static_cast<int64_t>(options_.index_merge_rows)) return;
      merge_next_slice_ = 0;
    }
    auto [lo, hi] = SliceBounds(merge_next_slice_, slices);
    core::Result<int64_t> slice = MergeIndexRange(lo, hi);
    if (!slice.ok()) {  // latched; nothing more to do
      merge_next_slice_ = -1;
      return;
    }
    moved += *slice;
    if (++merge_next_slice_ == slices) merge_next_slice_ = -1;
  }
}

void SqliteStore::MergeIndexOnClose() {
  if (!options_.index_merge_on_close || !writer_ || recent_rows_ == 0) return;
  if (!WriteHealth().ok()) return;  // after a failed commit nothing more is written
  // One transaction: no writer is left to wait for it.
  MergeIndexRange(std::string(), std::string(kIndexHashSize + 1, '\xff'))
      .status()
      .IgnoreError();  // logged by the latch
}

// PASSIVE checkpoints never block the writer or readers; a failed one is
// retried at the next tick (the WAL keeps every committed frame until then).
void SqliteStore::CheckpointLoop() {
  auto interval = std::chrono::milliseconds(options_.checkpoint_interval_ms);
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (checkpoint_cv_.wait_for(lock, interval, [&] { return stopping_; })) break;
    }
    checkpointer_db_->Exec("PRAGMA wal_checkpoint(PASSIVE)").IgnoreError();  // retried next tick
  }
  checkpointer_db_->Exec("PRAGMA wal_checkpoint(PASSIVE)").IgnoreError();  // best effort at exit
}

// The index HMAC key is derived (HKDF, its own label) from a key kept like a
// data key under the reserved compartment "#index" ('#' is not allowed in
// FHIR ids, so no patient can own it). Created on first open.
core::Status SqliteStore::LoadIndexKey() {
  static constexpr char kIndexCompartment[] = "#index";
  static constexpr char kLabel[] = "mamori.index.hmac.v1";
  if (!options_.encrypt) {
    // Benchmark-only plaintext store: a fixed key, since nothing is secret there.
    MAMORI_ASSIGN_OR_RETURN(index_key_, crypto::HmacKey::Import(crypto::AsBytes(kLabel)));
    return core::Status::Ok();
  }
  MAMORI_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
  SqliteKeyTable keys(*writer_);
  auto root = key_ring_->ForCompartment(kIndexCompartment, keys);
  core::Status commit = root.ok() ? writer_->Exec("COMMIT") : root.status();
  if (!commit.ok()) {
    writer_->Exec("ROLLBACK").IgnoreError();  // reporting the first error
    key_ring_->Discard();
    return commit.With("creating the index key");
  }
  key_ring_->Commit();
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes derived,
      crypto::HkdfSha256((*root)->ExportKeyBytes(), {}, crypto::AsBytes(kLabel), 32));
  MAMORI_ASSIGN_OR_RETURN(index_key_, crypto::HmacKey::Import(derived.span()));
  return core::Status::Ok();
}

core::Result<std::string> SqliteStore::BlindIndex(std::string_view value) {
  crypto::HmacSha256Tag tag = crypto::HmacSha256(*index_key_, crypto::AsBytes(value));
  return std::string(reinterpret_cast<const char*>(tag.data()), kIndexHashSize);
}

core::Status SqliteStore::ReadSnapshot(std::function<core::Status(IndexReader&)> body) {
  ReadLease lease(*this);
  if (lease.get() == nullptr) return core::UnavailableError("no database connection available");
  SqliteDb& db = *lease.get();
  // A deferred read transaction: every statement of `body` sees one WAL
  // snapshot.
  MAMORI_RETURN_IF_ERROR(db.Exec("BEGIN"));
  SqliteTransaction view(*this, db, env_.clock().Now());
  core::Status s = body(view);
  core::Status end = db.Exec("COMMIT");
  if (!end.ok()) db.Exec("ROLLBACK").IgnoreError();  // reporting the first error
  return s.ok() ? end : s;
}

// A migration that changed the index (schema step 2) leaves
// mamori_meta.search_index_rebuild; the index is rebuilt here, where the index
// key is loaded, by decrypting every current resource and asking the indexer
// for its entries, in one transaction.
core::Status SqliteStore::RebuildIndexIfNeeded() {
  MAMORI_ASSIGN_OR_RETURN(
      std::optional<int64_t> pending,
      writer_->QueryInt("SELECT count(*) FROM mamori_meta WHERE key = 'search_index_rebuild'"));
  if (!pending || *pending == 0) return core::Status::Ok();
  MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> resources,
                          writer_->QueryInt("SELECT count(*) FROM resource_current"));
  if (resources && *resources == 0) {  // a new database: nothing to rebuild
    return writer_->Exec("DELETE FROM mamori_meta WHERE key = 'search_index_rebuild'");
  }
  if (!options_.indexer) {
    core::LogWarn(
        "store: the search index needs a rebuild; it runs at the next open by the server");
    return core::Status::Ok();
  }
  MAMORI_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
  core::Status s = RebuildIndex();
  if (s.ok()) s = writer_->Exec("COMMIT");
  if (!s.ok()) {
    writer_->Exec("ROLLBACK").IgnoreError();  // reporting the first error
    if (key_ring_) key_ring_->Discard();
    return s.With("rebuilding the search index");
  }
  if (key_ring_) key_ring_->Commit();
  return s;
}

core::Status SqliteStore::RebuildSearchIndex(
    const std::function<void(int64_t, int64_t)>& progress) {
  if (!options_.indexer) {
    return core::FailedPreconditionError(
        "the store was opened without an indexer; the search index cannot be rebuilt");
  }
  // On the commit thread, inside one group: the rebuild is one transaction.
  return Write([&](Transaction&) { return RebuildIndex(progress); });
}

core::Status SqliteStore::RebuildIndex(const std::function<void(int64_t, int64_t)>& progress) {
  std::vector<std::pair<std::string, std::string>> live;
  {
    MAMORI_ASSIGN_OR_RETURN(
        Statement * stmt,
        writer_->Prepare("SELECT type, id FROM resource_current WHERE deleted = 0 ORDER BY seq"));
    while (true) {
      MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      live.emplace_back(stmt->ColumnText(0), stmt->ColumnText(1));
    }
  }
  // A rebuild starts from an empty index (a reindex of one that exists, too).
  MAMORI_RETURN_IF_ERROR(writer_->Exec("DELETE FROM search_index"));
  MAMORI_RETURN_IF_ERROR(writer_->Exec("DELETE FROM search_index_recent"));
  group_recent_rows_ = 0;
  MAMORI_RETURN_IF_ERROR(writer_->Exec("UPDATE search_resource SET entries = 0"));
  SqliteTransaction tx(*this, *writer_, env_.clock().Now());
  tx.WriteIndexToMain();  // a bulk load: merging it later would write it twice
  int64_t done = 0;
  const int64_t total = static_cast<int64_t>(live.size());
  for (const auto& [type, id] : live) {
    MAMORI_ASSIGN_OR_RETURN(std::optional<ResourceVersion> v, tx.ReadCurrent(type, id));
    if (v) {
      MAMORI_ASSIGN_OR_RETURN(std::vector<IndexEntry> entries, options_.indexer(*v, *this));
      MAMORI_RETURN_IF_ERROR(
          tx.ReplaceIndex(type, id, false, ToMicros(v->last_updated), entries, nullptr));
    }
    if (progress && (++done % 1000 == 0)) progress(done, total);
  }
  if (progress) progress(total, total);
  return writer_->Exec("DELETE FROM mamori_meta WHERE key = 'search_index_rebuild'");
}

std::unique_ptr<SqliteDb> SqliteStore::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!readers_.empty()) {
      auto db = std::move(readers_.back());
      readers_.pop_back();
      return db;
    }
  }
  // More concurrent readers than pooled connections: open one more; it joins
  // the pool afterwards.
  auto db = SqliteDb::Open(options_.path, false, options_.vfs_name_for_test);
  if (!db.ok()) return nullptr;
  (*db)->Exec("PRAGMA query_only=ON").IgnoreError();  // reads work without it
  return std::move(*db);
}

void SqliteStore::ReleaseReader(std::unique_ptr<SqliteDb> db) {
  std::lock_guard lock(readers_mu_);
  readers_.push_back(std::move(db));
}

core::Result<std::string> SqliteStore::Seal(const NewVersion& v, int64_t version,
                                            int64_t updated_us, const std::string& json,
                                            KeyTable& keys) {
  return Sealer(key_ring_.get(), env_.random()).SealResource(v, version, updated_us, json, keys);
}

core::Result<ResourceVersion> SqliteStore::Decode(std::string type, std::string id, int64_t version,
                                                  int64_t seq, int64_t updated_us, bool deleted,
                                                  const std::string& body, KeyTable& keys) {
  return Sealer(key_ring_.get(), env_.random())
      .OpenResource(std::move(type), std::move(id), version, seq, updated_us, deleted, body, keys);
}

core::Status SqliteStore::WriteHealth() const { return writes_.Health(); }

core::Status SqliteStore::Write(std::function<core::Status(Transaction&)> body) {
  return writes_.Submit(std::move(body));
}

void SqliteStore::WriteAsync(std::function<core::Status(Transaction&)> body,
                             std::function<void(core::Status)> done) {
  writes_.SubmitAsync(std::move(body), std::move(done));
}

void SqliteStore::RunGroup(std::vector<Pending*>& group) {
  const int64_t recent_before = recent_rows_;
  core::Status latched = WriteHealth();
  if (!latched.ok()) {
    for (Pending* p : group) p->result = latched;
    return;
  }
  core::Status begin = writer_->Exec("BEGIN IMMEDIATE");
  if (!begin.ok()) {
    for (Pending* p : group) p->result = core::UnavailableError(begin.message());
    return;
  }
  SqliteTransaction tx(*this, *writer_, env_.clock().Now());
  for (Pending* p : group) {
    size_t mark = key_ring_ ? key_ring_->PendingMark() : 0;
    ledger::CompactRange range_mark = group_range_;  // the body's leaves roll back with it
    int64_t recent_mark = group_recent_rows_;
    core::Status savepoint = writer_->ExecCached("SAVEPOINT body");
    p->result = savepoint.ok() ? p->body(tx) : savepoint;
    if (p->result.ok()) {
      p->result = writer_->ExecCached("RELEASE body");
    } else {
      if (key_ring_) key_ring_->DiscardSince(mark);
      group_range_ = std::move(range_mark);
      group_recent_rows_ = recent_mark;
      writer_->Exec("ROLLBACK TO body").IgnoreError();  // a failure surfaces at COMMIT
      writer_->Exec("RELEASE body").IgnoreError();
    }
  }
  core::Status commit = CommitGroup();
  if (!commit.ok()) {
    for (Pending* p : group) {
      if (p->result.ok()) p->result = commit;
    }
    return;
  }
  // Before this group's writers are woken: they wait for the slices of this step.
  MergeIndexStep(std::max<int64_t>(recent_rows_ - recent_before, 0));
}

// The group's leaves are durable: they join the log readers and the tree
// head issuer see.
void SqliteStore::AdoptGroupRange() {
  uint64_t added = group_range_.size() - live_range_.size();
  live_range_ = group_range_;
  committed_leaves_ = live_range_.size();
  head_timer_.Committed(added);
}

core::Status SqliteStore::CommitGroup() {
  core::Status commit = writer_->Exec("COMMIT");
  if (commit.ok()) {
    if (key_ring_) key_ring_->Commit();
    AdoptGroupRange();
    recent_rows_ = group_recent_rows_;
    return commit;
  }
  writer_->Exec("ROLLBACK").IgnoreError();  // the connection may have rolled back already
  if (key_ring_) key_ring_->Discard();
  group_range_ = live_range_;  // a failed commit never advances the log
  group_recent_rows_ = recent_rows_;
  writes_.Latch(commit);
  return core::UnavailableError("the write was not committed: " + commit.message());
}

core::Result<ResourceVersion> SqliteStore::Read(const std::string& type, const std::string& id) {
  ReadLease db(*this);
  if (db.get() == nullptr) return core::UnavailableError("no database connection available");
  SqliteTransaction tx(*this, *db.get(), env_.clock().Now());
  MAMORI_ASSIGN_OR_RETURN(std::optional<ResourceVersion> v, tx.ReadCurrent(type, id));
  if (!v) return core::NotFoundError(type + "/" + id + " does not exist");
  return std::move(*v);
}

core::Result<ResourceVersion> SqliteStore::ReadVersion(const std::string& type,
                                                       const std::string& id, int64_t version) {
  ReadLease lease(*this);
  SqliteDb* db = lease.get();
  if (db == nullptr) return core::UnavailableError("no database connection available");
  MAMORI_ASSIGN_OR_RETURN(Statement * stmt,
                          db->Prepare("SELECT seq, updated_us, deleted, body FROM resource_version "
                                      "WHERE type = ? AND id = ? AND version = ?"));
  stmt->Bind(1, type);
  stmt->Bind(2, id);
  stmt->Bind(3, version);
  MAMORI_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) {
    return core::NotFoundError(fmt::format("{}/{} has no version {}", type, id, version));
  }
  int64_t seq = stmt->ColumnInt(0), updated = stmt->ColumnInt(1);
  bool deleted = stmt->ColumnInt(2) != 0;
  std::string body = stmt->ColumnBlob(3);
  stmt->Reset();
  SqliteKeyTable keys(*db);
  return Decode(type, id, version, seq, updated, deleted, body, keys);
}

}  // namespace mamori::store::internal

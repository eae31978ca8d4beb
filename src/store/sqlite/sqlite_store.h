// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" and call store::OpenStore().
//
// SqliteStore: the embedded backend. One writer connection owned by the
// committer thread (group commit, see store.h), a pool of read connections
// (WAL mode: readers never wait for the writer), the KeyRing for data keys.
// Design note: the committer thread is the one orchestrator of this module
// allowed to grow (STYLE.md rule 38); everything else is small helpers.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/env.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/compact_range.h"
#include "ledger/tree_head.h"
#include "store/internal/head_timer.h"
#include "store/internal/key_ring.h"
#include "store/internal/write_queue.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace mamori::store::internal {

class SqliteStore final : public Store {
 public:
  static core::Result<std::unique_ptr<Store>> Create(const StoreOptions& options, core::Env& env);
  ~SqliteStore() override;

  core::Status Write(std::function<core::Status(Transaction&)> body) override;
  void WriteAsync(std::function<core::Status(Transaction&)> body,
                  std::function<void(core::Status)> done) override;
  core::Status RebuildSearchIndex(const std::function<void(int64_t, int64_t)>& progress) override;
  core::Result<ResourceVersion> Read(const std::string& type, const std::string& id) override;
  core::Result<ResourceVersion> ReadVersion(const std::string& type, const std::string& id,
                                            int64_t version) override;
  core::Result<HistoryPage> History(const HistoryQuery& query) override;
  core::Status WriteHealth() const override;
  uint64_t AuditTreeSize() const override { return committed_leaves_.load(); }
  core::Result<std::vector<std::string>> AuditLeaves(uint64_t begin, uint64_t end) override;
  const ledger::HashSource& AuditNodes() const override { return *node_source_; }
  core::Result<std::string> OpenAuditLeaf(std::string_view leaf) override;
  core::Result<std::string> IssueTreeHead() override;
  core::Result<std::vector<std::string>> TreeHeads() override;
  const crypto::VerifyingKey& AuditPublicKey() const override { return *verifying_key_; }
  core::Result<std::string> BlindIndex(std::string_view value) override;
  core::Status ReadSnapshot(std::function<core::Status(IndexReader&)> body) override;

  core::Result<std::optional<Record>> GetRecord(const std::string& kind,
                                                const std::string& key) override;
  core::Result<std::vector<Record>> ListRecords(const std::string& kind) override;

  // Used by SqliteTransaction.
  core::Result<std::string> SealRecord(const std::string& kind, const std::string& key,
                                       int64_t version, std::string_view body, KeyTable& keys);
  core::Result<Record> OpenRecord(std::string kind, std::string key, int64_t version,
                                  const std::string& sealed, KeyTable& keys);
  const StoreOptions::Indexer& indexer() const { return options_.indexer; }
  const StoreOptions& options() const { return options_; }
  // Rows added to (negative: removed from) search_index_recent by the body
  // in progress. Committer thread only.
  void AddRecentIndexRows(int64_t n) { group_recent_rows_ += n; }
  core::Result<std::string> Seal(const NewVersion& v, int64_t version, int64_t updated_us,
                                 const std::string& json, KeyTable& keys);
  core::Result<ResourceVersion> Decode(std::string type, std::string id, int64_t version,
                                       int64_t seq, int64_t updated_us, bool deleted,
                                       const std::string& body, KeyTable& keys);
  // Seals `event`, inserts its leaf and nodes through `db` and advances the
  // group's range (sqlite_ledger.cc). Committer thread only.
  core::Result<uint64_t> AppendAuditLeaf(SqliteDb& db, std::string_view event,
                                         core::Clock::WallTime now);

 private:
  using Pending = WriteQueue::Pending;
  // Returns a read connection to the pool when it goes out of scope.
  class ReadLease {
   public:
    explicit ReadLease(SqliteStore& store) : store_(store), db_(store.AcquireReader()) {}
    ~ReadLease() {
      if (db_) store_.ReleaseReader(std::move(db_));
    }
    SqliteDb* get() { return db_.get(); }

   private:
    SqliteStore& store_;
    std::unique_ptr<SqliteDb> db_;
  };

  class NodeSource;  // ledger::HashSource over the read connections

  SqliteStore(const StoreOptions& options, core::Env& env);
  core::Status Open();
  core::Status LoadIndexKey();
  core::Status RebuildIndexIfNeeded();
  core::Status RebuildIndex(const std::function<void(int64_t, int64_t)>& progress = nullptr);
  void CheckpointLoop();
  void RunGroup(std::vector<Pending*>& group);
  core::Status CommitGroup();
  // The second level of the search index (SCHEMA.md, schema step 6). After
  // each committed group, which added `added` rows to search_index_recent:
  // starts a merge once that table holds index_merge_rows rows, and runs the
  // next slice of the merge in progress, more slices while they moved fewer
  // than `added` rows (so the table drains faster than large groups,
  // such as an import's, fill it).
  void MergeIndexStep(int64_t added);
  // Moves the rows of search_index_recent with lo <= hash < hi into
  // search_index in one transaction of its own; returns how many. A failed
  // commit latches the store, as a failed group commit does.
  core::Result<int64_t> MergeIndexRange(std::string_view lo, std::string_view hi);
  void MergeIndexOnClose();
  void AdoptGroupRange();
  // Ledger (sqlite_ledger.cc).
  core::Status OpenLedger();
  core::Status LoadLedgerKeys();
  core::Result<uint64_t> InsertAuditLeaf(SqliteDb& db, std::string_view event,
                                         core::Clock::WallTime now);
  core::Status SignAndStoreHead(std::string* sth);  // committer thread, inside a body
  core::Status ExportTreeHead(const std::string& sth);
  void IssueHeadIfGrown();
  void StopTreeHeads();
  std::unique_ptr<SqliteDb> AcquireReader();
  void ReleaseReader(std::unique_ptr<SqliteDb> db);

  StoreOptions options_;
  core::Env& env_;
  std::unique_ptr<KeyRing> key_ring_;
  std::optional<crypto::HmacKey> index_key_;  // set by Open(), then read-only
  std::unique_ptr<SqliteDb> writer_;          // committer thread only
  // Rows in search_index_recent: as of the last commit, and counting the
  // group in progress (each body's savepoint snapshots it). Committer thread
  // only, like writer_.
  int64_t recent_rows_ = 0;
  int64_t group_recent_rows_ = 0;
  // The next slice of the merge in progress, or -1 when none is.
  int64_t merge_next_slice_ = -1;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteDb>> readers_ MAMORI_GUARDED_BY(readers_mu_);

  mutable std::mutex mu_;
  std::condition_variable checkpoint_cv_;
  bool stopping_ MAMORI_GUARDED_BY(mu_) = false;  // tells the checkpointer to finish
  WriteQueue writes_;  // group commit: Submit from any thread, Drain on committer_
  std::thread committer_;
  std::unique_ptr<SqliteDb> checkpointer_db_;  // checkpoint thread only
  std::thread checkpointer_;

  // The audit ledger (issue 6). The ranges are the committer thread's:
  // group_range_ takes the appends of the group in progress (each body's
  // savepoint snapshots it), live_range_ becomes it only once COMMIT
  // succeeds, so a failed commit never advances the log.
  std::shared_ptr<const crypto::AeadKey> audit_key_;  // set by Open(), then read-only
  std::optional<crypto::SigningKey> signing_key_;
  std::optional<crypto::VerifyingKey> verifying_key_;
  ledger::LogId log_id_{};
  ledger::CompactRange live_range_;
  ledger::CompactRange group_range_;
  std::atomic<uint64_t> committed_leaves_{0};
  std::unique_ptr<ledger::HashSource> node_source_;
  std::mutex heads_mu_;  // serialises IssueTreeHead (sign, store, export)
  uint64_t last_head_size_ MAMORI_GUARDED_BY(heads_mu_) = 0;
  TreeHeadTimer head_timer_;  // calls IssueHeadIfGrown
};

}  // namespace mamori::store::internal

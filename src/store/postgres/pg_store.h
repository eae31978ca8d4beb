// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" and call store::OpenStore() with
// a postgres:// URL as StoreOptions::path.
//
// PgStore: the PostgreSQL backend (issue 10). Same contract as SqliteStore:
// group commit (one committer thread runs many bodies in one transaction,
// each in a savepoint), envelope encryption through the shared Sealer (the
// database never sees plaintext), the read-only latch after a failed COMMIT.
// Several mamori nodes may share one database: every group takes the
// transaction-scoped advisory lock kPgLedgerLock first, so groups of all
// nodes apply one after another, ledger leaves get their indexes from the
// database (the group resyncs its compact range when another node appended),
// and If-Match checks read what other nodes committed. Tree heads are issued
// by the node holding the session advisory lock kPgIssuerLock; when that
// node stops (or its connection dies) another takes the lock at its next tick.
// A lost connection is not a failed commit: the group gets kUnavailable and
// the next group reconnects (bounded retries); only a COMMIT the server
// refused latches the store.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/env.h"
#include "ledger/compact_range.h"
#include "ledger/tree_head.h"
#include "store/internal/head_timer.h"
#include "store/internal/key_ring.h"
#include "store/internal/sealer.h"
#include "store/internal/write_queue.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace mamori::store::internal {

// Key rows through one PostgreSQL connection.
class PgKeyTable final : public KeyTable {
 public:
  explicit PgKeyTable(PgConn& db) : db_(db) {}
  core::Result<std::optional<WrappedKey>> FindByCompartment(const std::string& c) override;
  core::Result<std::optional<WrappedKey>> FindById(const crypto::AeadKeyId& id) override;
  core::Status Insert(const WrappedKey& key) override;

 private:
  core::Result<std::optional<WrappedKey>> FindOne(const std::string& sql, const PgParams& p);
  PgConn& db_;
};

class PgStore;

// The Transaction of a write body (the committer's connection inside the
// group's transaction) and the view of ReadSnapshot (a read connection in a
// REPEATABLE READ transaction).
class PgTransaction final : public Transaction {
 public:
  PgTransaction(PgStore& store, PgConn& db, core::Clock::WallTime now)
      : store_(store), db_(db), keys_(db), now_(now) {}

  core::Result<std::optional<ResourceVersion>> ReadCurrent(const std::string& type,
                                                           const std::string& id) override;
  core::Result<ResourceVersion> Put(const NewVersion& version) override;
  core::Clock::WallTime Now() const override { return now_; }
  core::Result<int64_t> PutRecord(const std::string& kind, const std::string& key,
                                  std::string_view body, int64_t expected_version) override;
  core::Result<uint64_t> AppendAudit(std::string_view event) override;

  core::Result<std::vector<IndexHit>> LookupIndex(const std::string& hash, int64_t after_key,
                                                  size_t limit) override;
  core::Result<std::vector<IndexHit>> LookupIndexFor(const std::string& hash, int64_t key) override;
  core::Result<std::optional<ResourceVersion>> ReadByKey(int64_t key) override;
  core::Result<std::pair<std::string, std::string>> KeyName(int64_t key) override;
  core::Result<std::optional<int64_t>> KeyOf(const std::string& type,
                                             const std::string& id) override;

 private:
  PgStore& store_;
  PgConn& db_;
  PgKeyTable keys_;
  core::Clock::WallTime now_;
};

class PgStore final : public Store {
 public:
  static core::Result<std::unique_ptr<Store>> Create(const StoreOptions& options, core::Env& env);
  ~PgStore() override;

  core::Status Write(std::function<core::Status(Transaction&)> body) override;
  void WriteAsync(std::function<core::Status(Transaction&)> body,
                  std::function<void(core::Status)> done) override;
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

  // For PgTransaction (committer thread for the writing ones).
  Sealer sealer() { return Sealer(key_ring_.get(), env_.random()); }
  core::Result<uint64_t> AppendAuditLeaf(PgConn& db, std::string_view event,
                                         core::Clock::WallTime now);

  // Returns a read connection to the pool when it goes out of scope (a
  // broken one is dropped; the next acquire connects anew).
  class ReadLease {
   public:
    explicit ReadLease(PgStore& store);
    ~ReadLease();
    PgConn* get() { return db_.get(); }
    const core::Status& status() const { return status_; }

   private:
    PgStore& store_;
    std::unique_ptr<PgConn> db_;
    core::Status status_;
  };

 private:
  using Pending = WriteQueue::Pending;
  class NodeSource;

  PgStore(const StoreOptions& options, core::Env& env);
  core::Status Open();
  core::Status OpenLedger();
  core::Status EnsureWriter();
  core::Status SyncLedger();
  void RunGroup(std::vector<Pending*>& group);
  core::Status CommitGroup();
  void AdoptGroupRange();
  core::Status SignAndStoreHead(PgConn& db, std::string* sth);
  core::Status ExportTreeHead(const std::string& sth);
  void IssueHeadIfGrown();
  bool HoldIssuerLock();
  core::Result<bool> LogGrewSinceLastHead();
  void StopTreeHeads();

  StoreOptions options_;
  core::Env& env_;
  std::unique_ptr<KeyRing> key_ring_;
  std::optional<crypto::HmacKey> index_key_;  // set by Open(), then read-only
  std::unique_ptr<PgConn> writer_;            // committer thread only

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<PgConn>> readers_ MAMORI_GUARDED_BY(readers_mu_);

  WriteQueue writes_;  // group commit: Submit from any thread, Drain on committer_
  std::thread committer_;

  std::shared_ptr<const crypto::AeadKey> audit_key_;
  std::optional<crypto::SigningKey> signing_key_;
  std::optional<crypto::VerifyingKey> verifying_key_;
  ledger::LogId log_id_{};
  ledger::CompactRange live_range_;   // committer thread
  ledger::CompactRange group_range_;  // committer thread
  std::atomic<uint64_t> committed_leaves_{0};
  std::unique_ptr<ledger::HashSource> node_source_;
  std::mutex heads_mu_;                  // serialises IssueTreeHead
  std::unique_ptr<PgConn> issuer_conn_;  // tree head thread only: holds kPgIssuerLock
  TreeHeadTimer head_timer_;             // calls IssueHeadIfGrown
};

}  // namespace mamori::store::internal

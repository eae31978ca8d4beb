// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" and call store::OpenStore().
//
// SqliteStore: the embedded backend. One writer connection owned by the
// committer thread (group commit, see store.h), a pool of read connections
// (WAL mode: readers never wait for the writer), the KeyRing for data keys.
// Design note: the committer thread is the one orchestrator of this module
// allowed to grow (STYLE.md rule 38); everything else is small helpers.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/env.h"
#include "crypto/hash.h"
#include "store/internal/key_ring.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace mamori::store::internal {

class SqliteStore final : public Store {
 public:
  static core::Result<std::unique_ptr<Store>> Create(const StoreOptions& options, core::Env& env);
  ~SqliteStore() override;

  core::Status Write(std::function<core::Status(Transaction&)> body) override;
  core::Result<ResourceVersion> Read(const std::string& type, const std::string& id) override;
  core::Result<ResourceVersion> ReadVersion(const std::string& type, const std::string& id,
                                            int64_t version) override;
  core::Result<HistoryPage> History(const HistoryQuery& query) override;
  core::Status WriteHealth() const override;
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
  core::Result<std::string> Seal(const NewVersion& v, int64_t version, int64_t updated_us,
                                 const std::string& json, KeyTable& keys);
  core::Result<ResourceVersion> Decode(std::string type, std::string id, int64_t version,
                                       int64_t seq, int64_t updated_us, bool deleted,
                                       const std::string& body, KeyTable& keys);

 private:
  struct Pending {
    std::function<core::Status(Transaction&)> body;
    core::Status result;
    bool done = false;
  };
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

  SqliteStore(const StoreOptions& options, core::Env& env);
  core::Status Open();
  core::Status LoadIndexKey();
  core::Status RebuildIndexIfNeeded();
  core::Status RebuildIndex();
  void CommitLoop();
  void CheckpointLoop();
  void RunGroup(std::vector<Pending*>& group);
  core::Status CommitGroup();
  void Latch(const core::Status& reason);
  std::unique_ptr<SqliteDb> AcquireReader();
  void ReleaseReader(std::unique_ptr<SqliteDb> db);

  StoreOptions options_;
  core::Env& env_;
  std::unique_ptr<KeyRing> key_ring_;
  std::optional<crypto::HmacKey> index_key_;  // set by Open(), then read-only
  std::unique_ptr<SqliteDb> writer_;          // committer thread only

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteDb>> readers_ MAMORI_GUARDED_BY(readers_mu_);

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::condition_variable checkpoint_cv_;
  std::deque<Pending*> queue_ MAMORI_GUARDED_BY(mu_);
  bool stopping_ MAMORI_GUARDED_BY(mu_) = false;
  core::Status latched_ MAMORI_GUARDED_BY(mu_);
  std::thread committer_;
  std::unique_ptr<SqliteDb> checkpointer_db_;  // checkpoint thread only
  std::thread checkpointer_;
};

}  // namespace mamori::store::internal

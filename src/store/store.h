// SPDX-License-Identifier: Apache-2.0
#pragma once

// store::Store: where FHIR resource versions live, envelope-encrypted.
//
// Every version of every resource is kept (真正性, DESIGN invariant 6): a write
// adds a version, a delete adds a tombstone version; nothing is overwritten.
// Bodies are sealed with AES-256-GCM under the data key (DEK) of their patient
// compartment, with AAD binding resource type, id and version, so a row copied
// onto another fails to open (kDataLoss) instead of returning wrong data
// (DESIGN invariant 4, GUIDELINE rows on encryption at rest).
//
// Writes go through Write(): the body runs inside a database transaction that
// the store shares between concurrent callers (group commit: one commit and
// one fsync serve many requests). Each body runs in its own savepoint, so a
// body that fails (a version conflict, say) rolls back alone while the others
// commit. The search index (issue 5) and the audit ledger (issue 6) add their
// rows through the same Transaction, so a resource version, its index entries
// and its audit event commit together or not at all.
//
// If a commit fails (fsync error, full disk), every body of that group gets
// kUnavailable, nothing of the group is visible, and the store latches into
// read-only until restart (STYLE.md rule 12): later writes get kUnavailable,
// reads of committed data keep working.
//
//   MAMORI_ASSIGN_OR_RETURN(auto store, store::OpenStore(options, env));
//   MAMORI_RETURN_IF_ERROR(store->Write([&](store::Transaction& tx) -> core::Status {
//     MAMORI_ASSIGN_OR_RETURN(auto current, tx.ReadCurrent("Patient", id));
//     if (current && current->version != expected) return core::AbortedError("version conflict");
//     return tx.Put({.type = "Patient", .id = id, .compartment = id, .render = render}).status();
//   }));
//   MAMORI_ASSIGN_OR_RETURN(store::ResourceVersion v, store->Read("Patient", id));
//
// Thread-safety: a Store may be used from any number of threads. A
// Transaction belongs to the body it was passed to and must not escape it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/env.h"
#include "core/status.h"
#include "crypto/aead.h"
#include "crypto/signature.h"
#include "ledger/hash_source.h"

namespace mamori::store {

// One stored version of a resource, decrypted.
struct ResourceVersion {
  std::string type;
  std::string id;
  // 1 for the first version, then +1 per update or delete.
  int64_t version = 0;
  // Position in the store's single commit order; strictly increasing, never
  // reused. History and export page by it.
  int64_t sequence = 0;
  core::Clock::WallTime last_updated;
  // A tombstone left by a delete: `json` is empty.
  bool deleted = false;
  // The resource's integer key (IndexReader); 0 where not read through it.
  int64_t key = 0;
  // The resource as stored (meta.versionId and meta.lastUpdated filled in by
  // the render function of the write).
  std::string json;
};

// A search index entry (issue 5). `hash` is Store::BlindIndex() of the
// entry's canonical bytes (fhir::search::HashInput: type, parameter, form and
// value), so the database holds no searchable plaintext (DESIGN invariant 4).
// Ordered forms (dates, numbers, quantities) also carry their range in
// plaintext, which range search needs and issue 5 allows; the store keeps it
// but does not interpret it.
struct IndexEntry {
  enum class Range : uint8_t {
    kNone,       // a hash only
    kTime,       // [time_low, time_high): microseconds since the epoch
    kNumber,     // [number_low, number_high]; ±infinity for open ends
    kWriteTime,  // the version's own last_updated, [t, t + 1 us): _lastUpdated
  };
  std::string hash;  // kIndexHashSize bytes from Store::BlindIndex
  Range range = Range::kNone;
  int64_t time_low = 0;
  int64_t time_high = 0;
  double number_low = 0;
  double number_high = 0;
};

// A small sealed record outside FHIR: auth accounts and OAuth clients
// (issue 7), and later other installation state that must be kept with the
// records and backed up with them. `body` is sealed like a resource body (the
// installation's "#records" data key; AAD binds kind, key and version).
struct Record {
  std::string kind;  // "account", "oauth-client"
  std::string key;   // unique within kind
  int64_t version = 0;
  std::string body;
};

// Bytes of an index MAC: HMAC-SHA-256 truncated to 128 bits (SCHEMA.md says
// why that is enough).
inline constexpr size_t kIndexHashSize = 16;

// One entry found by IndexReader::LookupIndex: the resource's integer key and
// the entry's stored range (zero for hash-only entries; the caller knows
// which kind it asked for).
struct IndexHit {
  int64_t key = 0;
  int64_t time_low = 0;
  int64_t time_high = 0;
  double number_low = 0;
  double number_high = 0;
};

// What a write adds. The store assigns version, sequence and time, then calls
// `render` to produce the body, so the body can carry them in its meta.
struct NewVersion {
  std::string type;
  std::string id;
  // The patient compartment (a Patient id) whose data key seals this version;
  // empty for resources outside every patient compartment (Practitioner,
  // Organization, ...), which use the installation's shared data key.
  std::string compartment;
  bool deleted = false;
  // REQUIRES (unless deleted): returns the resource JSON for this version.
  std::function<std::string(int64_t version, core::Clock::WallTime last_updated)> render;
  // Index entries of this version; they replace the previous version's (a
  // delete removes them all, so the index only ever names live resources).
  std::vector<IndexEntry> index;
};

// Read access to the search index and to current resources by their integer
// key, all from one consistent view: a Transaction (sees its own writes) or
// the snapshot of Store::ReadSnapshot. Every resource that ever had a live
// version has a key, assigned once and never reused; keys grow with creation
// order, so "key > cursor" pages stably while others write.
class IndexReader {
 public:
  virtual ~IndexReader() = default;
  // Entries with this hash, in ascending key order, with key > after_key, at
  // most `limit` (0: no limit). Only live (current, not deleted) resources
  // have entries.
  virtual core::Result<std::vector<IndexHit>> LookupIndex(const std::string& hash,
                                                          int64_t after_key, size_t limit) = 0;
  // The entries with this hash of the one resource `key` (a point lookup:
  // checks ranges of a few candidates without scanning every entry of the hash).
  virtual core::Result<std::vector<IndexHit>> LookupIndexFor(const std::string& hash,
                                                             int64_t key) = 0;
  // The current version of the resource with this key, or nullopt if it is
  // deleted. Errors: kNotFound for an unknown key; kDataLoss.
  virtual core::Result<std::optional<ResourceVersion>> ReadByKey(int64_t key) = 0;
  // Type and id of a key without decrypting anything (for joins).
  // Errors: kNotFound for an unknown key.
  virtual core::Result<std::pair<std::string, std::string>> KeyName(int64_t key) = 0;
  // The key of type/id, or nullopt if it never had a live version.
  virtual core::Result<std::optional<int64_t>> KeyOf(const std::string& type,
                                                     const std::string& id) = 0;
};

// The handle a write body uses. Reads see the transaction's own writes.
class Transaction : public IndexReader {
 public:
  // The newest version of type/id (possibly a tombstone), or nullopt if the
  // resource never existed. Errors: kDataLoss if the body fails to open.
  virtual core::Result<std::optional<ResourceVersion>> ReadCurrent(const std::string& type,
                                                                   const std::string& id) = 0;
  // Adds the next version of type/id and its index entries. Returns it, with
  // `json` as rendered.
  // Errors: kInvalidArgument for an empty type or id; kUnavailable if the
  // data key cannot be created.
  virtual core::Result<ResourceVersion> Put(const NewVersion& version) = 0;
  // The wall time every write of this group carries.
  virtual core::Clock::WallTime Now() const = 0;
  // Writes record kind/key if its stored version is `expected_version` (0:
  // it must not exist yet) and returns the new version.
  // Errors: kAborted when the stored version differs (someone saved first);
  // kAlreadyExists when expected_version is 0 and the record exists;
  // kInvalidArgument for an empty kind or key.
  virtual core::Result<int64_t> PutRecord(const std::string& kind, const std::string& key,
                                          std::string_view body, int64_t expected_version) = 0;
  // Appends one audit event to the ledger (issue 6) in this transaction:
  // `event` (the event JSON, which may name patients) is sealed with the
  // audit key under AAD "ledger/<index>", encoded as a leaf
  // (ledger/FORMAT.md) and inserted with the tree nodes it completes. The
  // leaf joins the log only if this body and its group commit; a body that
  // fails after appending takes its leaf with it. Returns the leaf index.
  // Fail closed (DESIGN invariant 2): a caller that gets an error must fail
  // its body, so the change it records is not committed either.
  // Errors: kUnavailable whenever the leaf cannot be written (whatever the
  // database's reason); kInvalidArgument for an empty event.
  virtual core::Result<uint64_t> AppendAudit(std::string_view event) = 0;
};

struct HistoryQuery {
  // Empty type: the whole system; empty id: every resource of `type`.
  std::string type;
  std::string id;
  // Only versions with sequence < before_sequence (0 = no bound): the paging
  // cursor, which stays stable while new versions are written.
  int64_t before_sequence = 0;
  // Only versions written at or after this time (FHIR _since), if set.
  std::optional<core::Clock::WallTime> since;
  // Page size. REQUIRES: 1..1000.
  size_t limit = 50;
};

struct HistoryPage {
  // Newest first, as FHIR history is.
  std::vector<ResourceVersion> versions;
  // The cursor for the next (older) page, or 0 if this is the last.
  int64_t next_before_sequence = 0;
  // The number of versions matching the query (all pages).
  int64_t total = 0;
};

// Where the store keeps its keys' root: the key-encryption key (KEK) that
// wraps every data key. Supplied by the caller after it unlocked the key file.
class Store;
struct StoreOptions {
  // SQLite: path of the database file, e.g. DIR/mamori.db. Created if absent.
  // PostgreSQL: a libpq URL, "postgres://user@host:port/db?sslmode=verify-full
  // &sslrootcert=/path/ca.pem" (the database must exist; its schema is
  // created or migrated on open). Several nodes may open one database.
  std::string path;
  // The KEK. Required unless encrypt is false. Borrowed; must outlive the store.
  const crypto::AeadKey* kek = nullptr;
  // false stores bodies in plaintext. Only for the benchmark that shows the
  // cost of encryption; OpenStore refuses it unless allow_plaintext_for_benchmark.
  bool encrypt = true;
  bool allow_plaintext_for_benchmark = false;
  // Most bodies in one group commit. Default 512; larger groups amortise the
  // fsync further but hold more requests waiting for it.
  size_t max_group_size = 512;
  // Read connections (one per thread at a time). Default 8.
  size_t read_connections = 8;
  // Checkpoint the WAL into the database from a background thread every this
  // many milliseconds, so the commit thread never does it. Default 250 ms.
  // 0 leaves it to SQLite's automatic checkpoint on the commit thread
  // (fault-injection tests use that, so every fsync they fail is a commit's).
  uint32_t checkpoint_interval_ms = 250;
  // Writer page cache in KiB. Default 64 MiB: the indexes of a few million
  // resources stay in memory, so a commit reads little.
  uint32_t writer_cache_kib = 64 * 1024;
  // Computes a resource's index entries (fhir::IndexStoredResource). Used
  // when opening a database whose index must be rebuilt (a schema migration
  // that changed the index): OpenStore decrypts every current resource and
  // writes its entries. Without it the rebuild waits for an open that has one.
  // Also used on every update and delete of an indexed resource, to find the
  // replaced version's entries (the store keeps no per-resource list of them;
  // without an indexer it finds them by a scan of the index).
  using Indexer =
      std::function<core::Result<std::vector<IndexEntry>>(const ResourceVersion&, Store&)>;
  Indexer indexer;
  // SQLite VFS name for tests that inject faults; empty is the default VFS.
  std::string vfs_name_for_test;

  // SQLite: the search index has two levels (SCHEMA.md, schema step 6). New
  // rows go to a small table (search_index_recent), so a group commit dirties
  // that table's few pages instead of nearly every leaf of the whole index.
  // Once it holds index_merge_rows rows, the committer moves them into
  // search_index in index_merge_slices hash ranges, one slice (one
  // transaction, one fsync) after each committed group, so a merge never
  // holds writers for long and each slice writes one contiguous run of the
  // main index. 0 turns the second level off (rows go straight to
  // search_index, as before step 6). With index_merge_on_close the rows left
  // in the small table are merged when the store closes cleanly.
  uint64_t index_merge_rows = 32768;
  uint32_t index_merge_slices = 8;
  bool index_merge_on_close = true;

  // Audit ledger tree heads (issue 6): a background thread signs a head
  // every tree_head_interval_ms or after tree_head_every_leaves new leaves,
  // whichever comes first, and once more when the store closes. 0 for the
  // interval turns the thread off (tests call IssueTreeHead themselves).
  // Defaults 5 s and 1000 leaves: an attacker's window is a few seconds.
  uint32_t tree_head_interval_ms = 5000;
  uint64_t tree_head_every_leaves = 1000;
  // Each issued head's 171 bytes are appended (and fsynced) to this file, so
  // a copy exists outside the database (GUIDELINE SYS-54). Empty: no export.
  std::string tree_head_export_path;
};

// One stored leaf as `mamori audit verify` reads it, without any key.
struct AuditRow {
  int64_t index = 0;        // ledger_leaf.idx
  std::string leaf;         // the encoded leaf (ledger/leaf.h)
  std::string stored_hash;  // ledger_node (0, index), empty if that row is missing
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs `body` in the next group commit and waits until that group is
  // durable. Returns body's error (its writes rolled back alone), or OK once
  // committed. Errors besides body's: kUnavailable when the commit failed or
  // the store is latched read-only.
  virtual core::Status Write(std::function<core::Status(Transaction&)> body) = 0;
  // Write without waiting: `done` receives what Write would have returned,
  // once, on the store's committer thread (or on this thread if the write is
  // refused before queueing). `done` must be quick and must not call back
  // into the store: it hands the result on (e.g. posts a response), so a
  // request thread is not held for the group commit (issue 6: audited reads).
  virtual void WriteAsync(std::function<core::Status(Transaction&)> body,
                          std::function<void(core::Status)> done) = 0;

  // The newest version of type/id; a tombstone has deleted = true.
  // Errors: kNotFound if it never existed; kDataLoss if the body fails to
  // open (tampered or swapped row, wrong key).
  virtual core::Result<ResourceVersion> Read(const std::string& type, const std::string& id) = 0;
  // One version. Errors: kNotFound, kDataLoss.
  virtual core::Result<ResourceVersion> ReadVersion(const std::string& type, const std::string& id,
                                                    int64_t version) = 0;
  // History per HistoryQuery. Errors: kInvalidArgument for a bad limit, kDataLoss.
  virtual core::Result<HistoryPage> History(const HistoryQuery& query) = 0;

  // HMAC-SHA-256 of `value` under the installation's index key (derived from
  // a key the KEK wraps), truncated to kIndexHashSize bytes, for
  // IndexEntry::hash and lookups.
  virtual core::Result<std::string> BlindIndex(std::string_view value) = 0;
  // Runs `body` against one consistent snapshot of the committed data (a read
  // transaction on one connection): a search sees no write half-way.
  virtual core::Status ReadSnapshot(std::function<core::Status(IndexReader&)> body) = 0;

  // OK, or kUnavailable with the reason when a failed commit latched the store.
  virtual core::Status WriteHealth() const = 0;

  // Rebuilds every live resource's search index entries with
  // StoreOptions::indexer (`mamori reindex`, issue 5: after a change of the
  // search parameters, the index forms or the index key). One write
  // transaction: readers see the old index until it commits, other writes
  // wait for it. `progress(done, total)` runs every 1,000 resources and at the
  // end (on the commit thread). Errors: kFailedPrecondition without an
  // indexer; kUnimplemented where a backend has no rebuild yet; the indexer's
  // and the database's errors (nothing changes then).
  virtual core::Status RebuildSearchIndex(const std::function<void(int64_t, int64_t)>& progress) {
    (void)progress;
    return core::UnimplementedError("this store cannot rebuild its search index yet");
  }

  // A record (see Record), or nullopt. Errors: kDataLoss if it fails to open.
  virtual core::Result<std::optional<Record>> GetRecord(const std::string& kind,
                                                        const std::string& key) = 0;
  // Every record of `kind`, by key.
  virtual core::Result<std::vector<Record>> ListRecords(const std::string& kind) = 0;
  // --- The audit ledger's read side (issue 6). ---
  // The number of committed leaves.
  virtual uint64_t AuditTreeSize() const = 0;
  // The encoded leaves [begin, end) (committed only).
  // Errors: kInvalidArgument if begin > end or end > AuditTreeSize().
  virtual core::Result<std::vector<std::string>> AuditLeaves(uint64_t begin, uint64_t end) = 0;
  // The stored tree nodes, for ledger::InclusionProof / ConsistencyProof.
  // Borrowed from the store; thread-safe.
  virtual const ledger::HashSource& AuditNodes() const = 0;
  // The event JSON of an encoded leaf (decrypted with the audit key).
  // Errors: kInvalidArgument if the leaf does not decode; kDataLoss if it
  // does not open (tampered, moved to another index, unknown key).
  virtual core::Result<std::string> OpenAuditLeaf(std::string_view leaf) = 0;
  // Signs a head over the committed leaves, stores it and appends it to the
  // export file; returns its 171 bytes. Errors: kUnavailable when it cannot
  // be stored or exported.
  virtual core::Result<std::string> IssueTreeHead() = 0;
  // Every stored head, oldest first (171 bytes each).
  virtual core::Result<std::vector<std::string>> TreeHeads() = 0;
  // The key that verifies this store's tree heads (publish it).
  virtual const crypto::VerifyingKey& AuditPublicKey() const = 0;
};

// Opens (creating if needed) the store described by `options`.
// Errors: kFailedPrecondition when the database was written by a newer mamori
// (its schema version is higher than this binary knows); kInvalidArgument for
// bad options; kUnavailable when the file cannot be opened or locked.
core::Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options, core::Env& env);

// Rewraps every data key (the reserved #index, #audit and #ledger-signing keys
// included) of the store at options.path from options.kek to
// `new_kek` in one transaction (master key rotation; no record is rewritten).
// The store must not be open elsewhere in this process. Errors: kDataLoss if
// a data key does not unwrap under options.kek; the database's errors.
// Reads the ledger of the database at `path` read-only, without any key
// (`mamori audit verify`): every leaf row in index order through `on_row`,
// then every stored tree head, oldest first, into `tree_heads`.
// Errors: kNotFound if the database does not exist; the database's errors;
// whatever `on_row` returns stops the scan.
core::Status ReadAuditLog(const std::string& path,
                          const std::function<core::Status(const AuditRow&)>& on_row,
                          std::vector<std::string>* tree_heads);

// Reads and decrypts every audit event of the database at `path` from index
// `first_index` on, read-only (so a server may keep running), in index
// order: `on_event(index, json)`.
// `kek` unwraps the audit key. For `mamori audit affected` (GUIDELINE PLAN-05).
// Errors: kDataLoss if a leaf does not decode or open (run `audit verify`);
// a wrong KEK is kDataLoss on the first event; the database's errors; whatever `on_event` returns
// stops the scan.
core::Status ReadAuditEvents(
    const std::string& path, const crypto::AeadKey& kek,
    const std::function<core::Status(uint64_t index, std::string_view json)>& on_event,
    uint64_t first_index = 0);

core::Status RewrapDataKeys(const StoreOptions& options, const crypto::AeadKey& new_kek,
                            core::Env& env);

struct StoreCopyCounts {
  int64_t versions = 0, leaves = 0, tree_heads = 0, records = 0, keys = 0, index_rows = 0;
};

// Copies every row of the SQLite store at `sqlite_path` (schema 5, index
// rebuilt) into the empty PostgreSQL database at `url` in one transaction,
// without any key: sealed bodies, records, leaves, keys (still wrapped by the
// same KEK), index rows, tree heads and the ledger's log id, as they are
// (`mamori store copy`). The source is opened read-only. Errors:
// kFailedPrecondition for an older source schema or a non-empty destination;
// either database's errors (nothing is committed then).
core::Result<StoreCopyCounts> CopySqliteToPostgres(const std::string& sqlite_path,
                                                   const std::string& url);

// Creates or migrates the schema of the store at `location` (a SQLite path
// or a postgres:// URL) without any key, in one transaction, and returns
// {version before, version after} (`mamori migrate`). OpenStore migrates too;
// this lets an operator do it once, before starting several nodes.
// Errors: kFailedPrecondition for a newer or foreign schema; the database's.
core::Result<std::pair<int64_t, int64_t>> MigrateSchema(const std::string& location);

struct CopySummary {
  int64_t pages = 0;
  int64_t bytes = 0;
};

// Copies the database at `database_path` to the new file `copy_path` as one
// consistent snapshot, while a server may be writing to it (SQLite online
// backup; readers and writers are not blocked). The copy holds exactly the
// transactions committed before the snapshot point, envelope-encrypted as in
// the original. Errors: kFailedPrecondition if copy_path exists; the
// database's errors otherwise (a failed copy is removed).
core::Result<CopySummary> CopyDatabase(const std::string& database_path,
                                       const std::string& copy_path);

}  // namespace mamori::store

// SPDX-License-Identifier: Apache-2.0
// The conformance suite over SQLite, and what only SQLite shows: the bytes
// in the database file.
#include <fstream>
#include <iterator>

#include <sqlite3.h>

#include "core/testing/temp_dir.h"
#include "store/internal/body_codec.h"
#include "store/internal/key_ring.h"
#include "store/internal/sealer.h"
#include "store/sqlite/schema.h"
#include "store/store_conformance_test.h"

namespace mamori::store::testing {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;

class SqliteFactory final : public StoreFactory {
 public:
  explicit SqliteFactory(core::Env& env)
      : env_(env), path_(core::testing::MakeTempDir() + "/m.db") {}
  core::Result<std::unique_ptr<Store>> Open(const crypto::AeadKey& kek) override {
    return OpenStore({.path = path_, .kek = &kek}, env_);
  }
  const std::string& path() const { return path_; }

 private:
  core::Env& env_;
  std::string path_;
};

std::unique_ptr<StoreFactory> MakeSqliteFactory(core::Env& env) {
  return std::make_unique<SqliteFactory>(env);
}

// The same suite over a store whose small index table is merged into the
// main one after every group (schema step 6): each lookup then finds its rows
// in either table or both, mid-merge included.
class SqliteMergingFactory final : public StoreFactory {
 public:
  explicit SqliteMergingFactory(core::Env& env)
      : env_(env), path_(core::testing::MakeTempDir() + "/m.db") {}
  core::Result<std::unique_ptr<Store>> Open(const crypto::AeadKey& kek) override {
    return OpenStore({.path = path_, .kek = &kek, .index_merge_rows = 1, .index_merge_slices = 2},
                     env_);
  }

 private:
  core::Env& env_;
  std::string path_;
};

std::unique_ptr<StoreFactory> MakeSqliteMergingFactory(core::Env& env) {
  return std::make_unique<SqliteMergingFactory>(env);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest, ::testing::Values(&MakeSqliteFactory));
INSTANTIATE_TEST_SUITE_P(SqliteMergingEveryGroup, StoreConformanceTest,
                         ::testing::Values(&MakeSqliteMergingFactory));

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

class SqliteStoreTest : public StoreConformanceTest {
 protected:
  const std::string& path() { return static_cast<SqliteFactory&>(*factory_).path(); }
};

TEST_P(SqliteStoreTest, NoPlaintextBodyReachesTheDatabaseOrWal) {
  const std::string canary = "CANARY-Yamada-Taro-7c1e";
  ASSERT_THAT(PutJson("Patient", "p1", canary, "p1"), IsOk());
  std::string bytes = ReadAll(path()) + ReadAll(path() + "-wal");
  ASSERT_GT(bytes.size(), 0u);
  EXPECT_EQ(bytes.find(canary), std::string::npos);
  EXPECT_EQ(bytes.find("Yamada"), std::string::npos);
}

TEST_P(SqliteStoreTest, SwappedBodiesFailTheIntegrityCheckInsteadOfReturningWrongData) {
  ASSERT_THAT(PutJson("Patient", "a", "alice", "a"), IsOk());
  ASSERT_THAT(PutJson("Patient", "b", "bob", "b"), IsOk());
  store_.reset();
  ASSERT_EQ(Exec(path(),
                 "CREATE TEMP TABLE t AS SELECT type, id, body FROM resource_version;"
                 "UPDATE resource_version SET body = (SELECT body FROM t WHERE t.id = "
                 "CASE resource_version.id WHEN 'a' THEN 'b' ELSE 'a' END)"),
            SQLITE_OK);
  Reopen(kek_);
  EXPECT_THAT(store_->Read("Patient", "a"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(store_->Read("Patient", "b"), StatusIs(StatusCode::kDataLoss));
}

TEST_P(SqliteStoreTest, FlippingTheDeletedFlagIsDetected) {
  ASSERT_THAT(PutJson("Patient", "a", "alice", "a"), IsOk());
  store_.reset();
  ASSERT_EQ(Exec(path(),
                 "UPDATE resource_version SET deleted = 1;"
                 "UPDATE resource_current SET deleted = 1"),
            SQLITE_OK);
  Reopen(kek_);
  EXPECT_THAT(store_->Read("Patient", "a"), StatusIs(StatusCode::kDataLoss));
}

// One column of the first row of `sql` as bytes ("" if there is no row).
std::string QueryBlob(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    out.assign(static_cast<const char*>(sqlite3_column_blob(stmt, 0)),
               static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// Replaces the body of the newest version of Patient/`id` (compartment `id`)
// with `plaintext` sealed exactly as the store seals: the compartment's data
// key, unwrapped here with the master key, and the row's AAD. This is how a
// body written by an older mamori (or forged by someone holding the keys)
// looks on disk.
void ResealNewestBody(const std::string& path, const crypto::AeadKey& kek, const std::string& id,
                      const std::string& plaintext) {
  std::string key_id =
      QueryBlob(path, "SELECT key_id FROM data_key WHERE compartment = '" + id + "'");
  ASSERT_EQ(key_id.size(), crypto::AeadKeyId::kSize);
  auto parsed_id = crypto::AeadKeyId::FromBytes(crypto::AsBytes(key_id));
  ASSERT_THAT(parsed_id, IsOk());
  internal::WrappedKey wrapped{
      .key_id = *parsed_id,
      .compartment = id,
      .wrapped = QueryBlob(path, "SELECT wrapped FROM data_key WHERE compartment = '" + id + "'")};
  auto dek = internal::KeyRing::Unwrap(kek, wrapped);
  ASSERT_THAT(dek, IsOk());
  std::string row = "FROM resource_version WHERE type = 'Patient' AND id = '" + id +
                    "' ORDER BY version DESC LIMIT 1";
  int64_t version = std::stoll(QueryBlob(path, "SELECT CAST(version AS TEXT) " + row));
  int64_t updated_us = std::stoll(QueryBlob(path, "SELECT CAST(updated_us AS TEXT) " + row));
  auto sealed = crypto::Aead::Seal(
      *dek, crypto::AsBytes(plaintext),
      crypto::AsBytes(internal::ResourceAad("Patient", id, version, false, updated_us)),
      core::Random::Secure());
  ASSERT_THAT(sealed, IsOk());
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(
          db, ("UPDATE resource_version SET body = ? WHERE seq = (SELECT seq " + row + ")").c_str(),
          -1, &stmt, nullptr),
      SQLITE_OK);
  sqlite3_bind_blob(stmt, 1, sealed->data(), static_cast<int>(sealed->size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// Compression (SCHEMA.md "Body encoding"): a compressible body takes fewer
// bytes than its JSON on disk and reads back byte for byte.
TEST_P(SqliteStoreTest, BodiesAreCompressedBeforeSealingAndReadBackUnchanged) {
  std::string payload;
  for (int i = 0; i < 40; ++i) payload += "http://loinc.org|8302-2 Body Height ";
  auto put = PutJson("Patient", "a", payload, "a");
  ASSERT_THAT(put, IsOk());
  store_.reset();
  std::string body = QueryBlob(path(), "SELECT body FROM resource_version WHERE id = 'a'");
  EXPECT_LT(body.size(), put->json.size() / 4) << "the sealed body is not compressed";
  Reopen(kek_);
  auto read = store_->Read("Patient", "a");
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->json, put->json);
}

// Backward compatibility: bodies sealed before compression are their JSON as
// is; a data directory written by an older mamori still reads.
TEST_P(SqliteStoreTest, ABodySealedBeforeCompressionStillReads) {
  std::string payload;
  for (int i = 0; i < 40; ++i) payload += "Yamada Taro ";
  auto put = PutJson("Patient", "a", payload, "a");
  ASSERT_THAT(put, IsOk());
  store_.reset();
  ResealNewestBody(path(), kek_, "a", put->json);  // as a mamori before compression wrote it
  ASSERT_GT(QueryBlob(path(), "SELECT body FROM resource_version WHERE id = 'a'").size(),
            put->json.size());
  Reopen(kek_);
  auto read = store_->Read("Patient", "a");
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->json, put->json);
  // And the next version, written now, is compressed and reads too.
  auto next = PutJson("Patient", "a", payload + "Hanako", "a");
  ASSERT_THAT(next, IsOk());
  auto history = store_->ReadVersion("Patient", "a", 1);
  ASSERT_THAT(history, IsOk());
  EXPECT_EQ(history->json, put->json);
  auto current = store_->Read("Patient", "a");
  ASSERT_THAT(current, IsOk());
  EXPECT_EQ(current->json, next->json);
}

// Zip bomb: a body whose frame declares more than the limit (here 2^40 bytes,
// sealed with the right key and AAD, so only the codec can refuse it) is an
// integrity error, not an allocation of a terabyte. Likewise a reserved codec.
TEST_P(SqliteStoreTest, ABodyDeclaringMoreThanTheLimitIsAnIntegrityError) {
  ASSERT_THAT(PutJson("Patient", "a", "alice", "a"), IsOk());
  store_.reset();
  std::string bomb = {'\x01', '\x28', '\xb5', '\x2f', '\xfd', '\xe0', 0, 0, 0, 0, 0, 1, 0, 0};
  bomb += {'\x23', '\x00', '\x00', 'x'};
  ResealNewestBody(path(), kek_, "a", bomb);
  Reopen(kek_);
  auto read = store_->Read("Patient", "a");
  EXPECT_THAT(read, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(read.status().message(), HasSubstr("integrity check"));
  EXPECT_THAT(read.status().message(), HasSubstr("over the limit"));

  store_.reset();
  ResealNewestBody(path(), kek_, "a", std::string("\x05{}"));
  Reopen(kek_);
  EXPECT_THAT(store_->Read("Patient", "a"), StatusIs(StatusCode::kDataLoss));
}

// The constant other code compares with (store copy, SCHEMA.md) must be the
// version a fresh database is created at, i.e. the number of migration steps.
TEST_P(SqliteStoreTest, AFreshDatabaseIsAtTheSchemaVersionThisBinaryWrites) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT value FROM mamori_meta WHERE key = 'schema_version'", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  std::string version(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_EQ(version, std::to_string(internal::kSqliteSchemaVersion));
}

TEST_P(SqliteStoreTest, ADatabaseFromANewerMamoriIsRefused) {
  store_.reset();
  ASSERT_EQ(Exec(path(), "UPDATE mamori_meta SET value = '99' WHERE key = 'schema_version'"),
            SQLITE_OK);
  auto reopened = factory_->Open(kek_);
  EXPECT_THAT(reopened, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(reopened.status().message(), HasSubstr("schema version 99"));
}

// Turns the database back into schema version 1 (token_index, no search
// tables, no later tables), as a mamori before issue 5 left it.
int DowngradeToVersion1(const std::string& path) {
  return Exec(path,
              "DROP TABLE search_index; DROP TABLE search_index_recent; "
              "DROP TABLE search_resource; DROP TABLE record; "
              "DROP TABLE ledger_leaf; DROP TABLE ledger_node; DROP TABLE ledger_sth; "
              "ALTER TABLE resource_current DROP COLUMN rid; "
              "DELETE FROM mamori_meta WHERE key = 'search_index_rebuild'; "
              "CREATE TABLE token_index (type TEXT NOT NULL, param TEXT NOT NULL, "
              "hash BLOB NOT NULL, id TEXT NOT NULL, PRIMARY KEY (type, param, hash, id)) "
              "WITHOUT ROWID; CREATE INDEX token_index_by_resource ON token_index (type, id); "
              "UPDATE mamori_meta SET value = '1' WHERE key = 'schema_version'");
}

TEST_P(SqliteStoreTest, AVersion1DatabaseMigratesAndItsIndexIsRebuiltFromTheResources) {
  ASSERT_THAT(PutJson("Patient", "a", "x", "a"), IsOk());
  ASSERT_THAT(PutJson("Patient", "b", "y", "b"), IsOk());
  ASSERT_THAT(PutJson("Patient", "gone", "z", "gone"), IsOk());
  ASSERT_THAT(store_->Write([](Transaction& tx) {
    return tx.Put({.type = "Patient", .id = "gone", .deleted = true}).status();
  }),
              IsOk());
  store_.reset();
  ASSERT_EQ(DowngradeToVersion1(path()), SQLITE_OK);

  // Opened without an indexer (a CLI command): migrates, the rebuild waits.
  auto plain = OpenStore({.path = path(), .kek = &kek_}, env_);
  ASSERT_THAT(plain, IsOk());
  plain->reset();

  std::vector<std::string> indexed;
  auto indexer = [&](const ResourceVersion& v, Store& s) -> core::Result<std::vector<IndexEntry>> {
    indexed.push_back(v.id);
    MAMORI_ASSIGN_OR_RETURN(std::string h, s.BlindIndex("body " + v.json));
    return std::vector<IndexEntry>{{.hash = h}};
  };
  auto opened = OpenStore({.path = path(), .kek = &kek_, .indexer = indexer}, env_);
  ASSERT_THAT(opened, IsOk());
  EXPECT_THAT(indexed, ::testing::ElementsAre("a", "b"));  // live resources only
  std::string hash = *(*opened)->BlindIndex(R"(body {"v":1,"p":"y"})");
  ASSERT_THAT((*opened)->ReadSnapshot([&](IndexReader& r) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(auto hits, r.LookupIndex(hash, 0, 0));
    EXPECT_EQ(hits.size(), 1u);
    MAMORI_ASSIGN_OR_RETURN(auto name, r.KeyName(hits.at(0).key));
    EXPECT_EQ(name.second, "b");
    return core::Status::Ok();
  }),
              IsOk());
  opened->reset();
  indexed.clear();
  ASSERT_THAT(OpenStore({.path = path(), .kek = &kek_, .indexer = indexer}, env_), IsOk());
  EXPECT_THAT(indexed, ::testing::IsEmpty());  // rebuilt once
}

// Schema step 5 changed which entries fhir writes, not the tables: a version-4
// database (every step up to the ledger) keeps its rows until a rebuild.
TEST_P(SqliteStoreTest, AVersion4DatabaseHasItsIndexRebuiltOnce) {
  ASSERT_THAT(PutJson("Patient", "a", "x", "a"), IsOk());
  store_.reset();
  ASSERT_EQ(Exec(path(),
                 "INSERT INTO search_index SELECT * FROM search_index_recent; "
                 "DROP TABLE search_index_recent; "
                 "UPDATE mamori_meta SET value = '4' WHERE key = 'schema_version'"),
            SQLITE_OK);
  std::vector<std::string> indexed;
  auto indexer = [&](const ResourceVersion& v, Store& s) -> core::Result<std::vector<IndexEntry>> {
    indexed.push_back(v.id);
    MAMORI_ASSIGN_OR_RETURN(std::string h, s.BlindIndex("new form " + v.id));
    return std::vector<IndexEntry>{{.hash = h}};
  };
  auto opened = OpenStore({.path = path(), .kek = &kek_, .indexer = indexer}, env_);
  ASSERT_THAT(opened, IsOk());
  EXPECT_THAT(indexed, ::testing::ElementsAre("a"));
  std::string hash = *(*opened)->BlindIndex("new form a");
  ASSERT_THAT((*opened)->ReadSnapshot([&](IndexReader& r) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(auto hits, r.LookupIndex(hash, 0, 0));
    EXPECT_EQ(hits.size(), 1u);
    return core::Status::Ok();
  }),
              IsOk());
  opened->reset();
  indexed.clear();
  ASSERT_THAT(OpenStore({.path = path(), .kek = &kek_, .indexer = indexer}, env_), IsOk());
  EXPECT_THAT(indexed, ::testing::IsEmpty());  // rebuilt once
}

// Schema step 6 adds search_index_recent and moves nothing: the rows of a
// version-5 database stay in search_index, are found and are replaced there,
// with no rebuild; new rows go to the new table.
TEST_P(SqliteStoreTest, AVersion5DatabaseGainsTheSmallIndexTableAndKeepsItsRows) {
  store_.reset();
  int calls = 0;
  auto indexer = [&](const ResourceVersion& v, Store& s) -> core::Result<std::vector<IndexEntry>> {
    ++calls;
    MAMORI_ASSIGN_OR_RETURN(std::string h, s.BlindIndex(v.json));
    return std::vector<IndexEntry>{{.hash = h}};
  };
  auto put = [](Store& s, const std::string& id, const std::string& word) {
    return s.Write([&](Transaction& tx) -> core::Status {
      MAMORI_ASSIGN_OR_RETURN(std::string h, s.BlindIndex(word));
      return tx
          .Put({.type = "Patient",
                .id = id,
                .compartment = id,
                .render = [&](int64_t, auto) { return word; },
                .index = {{.hash = h}}})
          .status();
    });
  };
  auto lookup = [](Store& s, const std::string& word) {
    std::vector<int64_t> keys;
    EXPECT_THAT(s.ReadSnapshot([&](IndexReader& r) -> core::Status {
      MAMORI_ASSIGN_OR_RETURN(std::string h, s.BlindIndex(word));
      MAMORI_ASSIGN_OR_RETURN(auto hits, r.LookupIndex(h, 0, 0));
      for (const IndexHit& hit : hits) keys.push_back(hit.key);
      return core::Status::Ok();
    }),
                IsOk());
    return keys;
  };
  {
    auto old = OpenStore({.path = path(), .kek = &kek_, .indexer = indexer}, env_);
    ASSERT_THAT(old, IsOk());
    ASSERT_THAT(put(**old, "a", "alpha"), IsOk());
    ASSERT_THAT(put(**old, "b", "alpha"), IsOk());
  }
  ASSERT_EQ(Exec(path(),
                 "INSERT INTO search_index SELECT * FROM search_index_recent; "
                 "DROP TABLE search_index_recent; "
                 "UPDATE mamori_meta SET value = '5' WHERE key = 'schema_version'"),
            SQLITE_OK);
  auto opened = OpenStore({.path = path(), .kek = &kek_, .indexer = indexer}, env_);
  ASSERT_THAT(opened, IsOk());
  Store& store = **opened;
  EXPECT_EQ(calls, 0);  // no rebuild
  EXPECT_EQ(lookup(store, "alpha").size(), 2u);
  ASSERT_THAT(put(store, "a", "beta"), IsOk());  // its old row is in search_index
  ASSERT_THAT(put(store, "c", "alpha"), IsOk());
  EXPECT_EQ(lookup(store, "alpha").size(), 2u);  // b (main table) and c (small table)
  EXPECT_EQ(lookup(store, "beta").size(), 1u);
  opened->reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT (SELECT count(*) FROM search_index), "
                               "(SELECT value FROM mamori_meta WHERE key = 'schema_version')",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(stmt, 0), 3);  // merged when the store closed
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1))), "6");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// An indexer as fhir's: entries derived from the stored body alone (here the
// body is the list of words to index). `drop_last` makes it forget one entry,
// as an indexer that changed since the entries were written would.
StoreOptions::Indexer WordIndexer(int* calls, bool* drop_last) {
  return [calls, drop_last](const ResourceVersion& v,
                            Store& s) -> core::Result<std::vector<IndexEntry>> {
    ++*calls;
    std::vector<IndexEntry> out;
    for (size_t start = 0; start < v.json.size();) {
      size_t space = std::min(v.json.find(' ', start), v.json.size());
      MAMORI_ASSIGN_OR_RETURN(std::string h, s.BlindIndex(v.json.substr(start, space - start)));
      out.push_back({.hash = h});
      start = space + 1;
    }
    if (*drop_last && !out.empty()) out.pop_back();
    return out;
  };
}

core::Status PutWords(Store& store, const std::string& id, const std::string& words) {
  return store.Write([&](Transaction& tx) -> core::Status {
    std::vector<IndexEntry> entries;
    for (size_t start = 0; start < words.size();) {
      size_t space = std::min(words.find(' ', start), words.size());
      MAMORI_ASSIGN_OR_RETURN(std::string h, store.BlindIndex(words.substr(start, space - start)));
      entries.push_back({.hash = h});
      start = space + 1;
    }
    return tx
        .Put({.type = "Patient",
              .id = id,
              .compartment = id,
              .render = [&](int64_t, auto) { return words; },
              .index = entries})
        .status();
  });
}

size_t Hits(Store& store, const std::string& word) {
  size_t n = 0;
  EXPECT_THAT(store.ReadSnapshot([&](IndexReader& r) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(std::string h, store.BlindIndex(word));
    MAMORI_ASSIGN_OR_RETURN(auto hits, r.LookupIndex(h, 0, 0));
    n = hits.size();
    return core::Status::Ok();
  }),
              IsOk());
  return n;
}

TEST_P(SqliteStoreTest, AnUpdateDeletesTheEntriesTheIndexerRecomputesFromThePreviousVersion) {
  store_.reset();
  int calls = 0;
  bool drop_last = false;
  auto opened =
      OpenStore({.path = path(), .kek = &kek_, .indexer = WordIndexer(&calls, &drop_last)}, env_);
  ASSERT_THAT(opened, IsOk());
  Store& store = **opened;
  ASSERT_THAT(PutWords(store, "a", "alpha beta"), IsOk());
  EXPECT_EQ(calls, 0);  // a create has nothing to replace
  ASSERT_THAT(PutWords(store, "a", "gamma"), IsOk());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Hits(store, "alpha"), 0u);
  EXPECT_EQ(Hits(store, "beta"), 0u);
  EXPECT_EQ(Hits(store, "gamma"), 1u);
  // An indexer that no longer yields every entry: the scan fallback still
  // leaves nothing of the old version behind.
  ASSERT_THAT(PutWords(store, "a", "delta epsilon"), IsOk());
  drop_last = true;
  ASSERT_THAT(PutWords(store, "a", "zeta"), IsOk());
  EXPECT_EQ(Hits(store, "delta"), 0u);
  EXPECT_EQ(Hits(store, "epsilon"), 0u);
  EXPECT_EQ(Hits(store, "zeta"), 1u);
  ASSERT_THAT(store.Write([](Transaction& tx) {
    return tx.Put({.type = "Patient", .id = "a", .deleted = true}).status();
  }),
              IsOk());
  EXPECT_EQ(Hits(store, "zeta"), 0u);
}

TEST_P(SqliteStoreTest, AForeignSqliteFileIsRefused) {
  store_.reset();
  std::string other = core::testing::MakeTempDir() + "/other.db";
  ASSERT_EQ(Exec(other, "CREATE TABLE x (y)"), SQLITE_OK);
  auto opened = OpenStore({.path = other, .kek = &kek_}, env_);
  EXPECT_THAT(opened, StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(SqliteStoreTest, RecordBodiesAreSealedAndCannotBeSwapped) {
  const std::string canary = "CANARY-totp-secret-93f1";
  for (const char* key : {"a", "b"}) {
    ASSERT_THAT(store_->Write([&](Transaction& tx) {
      return tx.PutRecord("account", key, canary + key, 0).status();
    }),
                IsOk());
  }
  std::string bytes = ReadAll(path()) + ReadAll(path() + "-wal");
  EXPECT_EQ(bytes.find(canary), std::string::npos);
  store_.reset();
  ASSERT_EQ(Exec(path(),
                 "CREATE TEMP TABLE t AS SELECT key, body FROM record;"
                 "UPDATE record SET body = (SELECT body FROM t WHERE t.key = "
                 "CASE record.key WHEN 'a' THEN 'b' ELSE 'a' END)"),
            SQLITE_OK);
  Reopen(kek_);
  EXPECT_THAT(store_->GetRecord("account", "a"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(store_->ListRecords("account"), StatusIs(StatusCode::kDataLoss));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteStoreTest, ::testing::Values(&MakeSqliteFactory));

TEST(OpenStoreTest, PlaintextStoreIsRefusedOutsideBenchmarks) {
  core::Env env = core::Env::Real();
  auto opened = OpenStore({.path = core::testing::MakeTempDir() + "/p.db", .encrypt = false}, env);
  EXPECT_THAT(opened, StatusIs(StatusCode::kInvalidArgument));
}

TEST(OpenStoreTest, EncryptedStoreNeedsTheMasterKey) {
  core::Env env = core::Env::Real();
  auto opened = OpenStore({.path = core::testing::MakeTempDir() + "/p.db"}, env);
  EXPECT_THAT(opened, StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mamori::store::testing

// SPDX-License-Identifier: Apache-2.0
// The conformance suite over SQLite, and what only SQLite shows: the bytes
// in the database file.
#include <fstream>
#include <iterator>

#include <sqlite3.h>

#include "core/testing/temp_dir.h"
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

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest, ::testing::Values(&MakeSqliteFactory));

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

TEST_P(SqliteStoreTest, ADatabaseFromANewerMamoriIsRefused) {
  store_.reset();
  ASSERT_EQ(Exec(path(), "UPDATE mamori_meta SET value = '99' WHERE key = 'schema_version'"),
            SQLITE_OK);
  auto reopened = factory_->Open(kek_);
  EXPECT_THAT(reopened, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(reopened.status().message(), HasSubstr("schema version 99"));
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

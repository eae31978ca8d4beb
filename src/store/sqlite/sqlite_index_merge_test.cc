// SPDX-License-Identifier: Apache-2.0
// The two-level search index (SCHEMA.md, schema step 6; issue 4's create
// rate): new rows go to search_index_recent, the committer merges them into
// search_index in hash-range slices, and every lookup reads both. A lookup
// answers the same before, between the slices of and after a merge; a crash
// during a merge (a failed fsync that undoes the unsynced writes, as
// FaultVfs does) loses no row and duplicates none.
#include <algorithm>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "store/sqlite/sqlite_transaction.h"
#include "store/store.h"
#include "store/testing/fault_vfs.h"

namespace mamori::store {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

// Entries are the hashes of the body's words, as fhir's indexer derives
// entries from the stored resource.
StoreOptions::Indexer WordIndexer() {
  return [](const ResourceVersion& v, Store& s) -> core::Result<std::vector<IndexEntry>> {
    std::vector<IndexEntry> out;
    for (size_t start = 0; start < v.json.size();) {
      size_t space = std::min(v.json.find(' ', start), v.json.size());
      MAMORI_ASSIGN_OR_RETURN(std::string h, s.BlindIndex(v.json.substr(start, space - start)));
      out.push_back({.hash = h});
      start = space + 1;
    }
    return out;
  };
}

// Reads the database file with a connection of its own (WAL: it sees what is
// committed).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
  }
  ~RawDb() { sqlite3_close(db_); }
  int64_t Int(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    int64_t v = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
  }
  std::string Plan(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr),
              SQLITE_OK);
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      plan += "\n";
    }
    sqlite3_finalize(stmt);
    return plan;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteIndexMergeTest : public ::testing::Test {
 protected:
  void SetUp() override { vfs_.Reset(); }
  void TearDown() override {
    store_.reset();
    vfs_.Reset();
  }

  void Open() {
    store_.reset();
    auto s = OpenStore(options_, env_);
    ASSERT_THAT(s, IsOk());
    store_ = std::move(*s);
  }

  core::Status PutWords(const std::string& id, const std::string& words) {
    return store_->Write([&](Transaction& tx) -> core::Status {
      std::vector<IndexEntry> entries;
      for (size_t start = 0; start < words.size();) {
        size_t space = std::min(words.find(' ', start), words.size());
        MAMORI_ASSIGN_OR_RETURN(std::string h,
                                store_->BlindIndex(words.substr(start, space - start)));
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
  core::Status Delete(const std::string& id) {
    return store_->Write([&](Transaction& tx) {
      return tx.Put({.type = "Patient", .id = id, .deleted = true}).status();
    });
  }
  // A group with no change: the committer runs the next merge slice after it.
  core::Status NextSlice() {
    return store_->Write([](Transaction&) { return core::Status::Ok(); });
  }

  // The ids whose entries have `word`, in key order, read in one lookup and
  // again page by page (`rid > cursor`, two at a time); both must agree.
  std::vector<std::string> Ids(const std::string& word) {
    std::vector<std::string> ids, paged;
    EXPECT_THAT(store_->ReadSnapshot([&](IndexReader& r) -> core::Status {
      MAMORI_ASSIGN_OR_RETURN(std::string h, store_->BlindIndex(word));
      MAMORI_ASSIGN_OR_RETURN(auto hits, r.LookupIndex(h, 0, 0));
      for (size_t i = 1; i < hits.size(); ++i) EXPECT_LT(hits[i - 1].key, hits[i].key) << word;
      for (const IndexHit& hit : hits) {
        MAMORI_ASSIGN_OR_RETURN(auto name, r.KeyName(hit.key));
        ids.push_back(name.second);
        MAMORI_ASSIGN_OR_RETURN(auto one, r.LookupIndexFor(h, hit.key));
        EXPECT_EQ(one.size(), 1u) << word << " " << name.second;
      }
      int64_t cursor = 0;
      while (true) {
        MAMORI_ASSIGN_OR_RETURN(auto page, r.LookupIndex(h, cursor, 2));
        if (page.empty()) break;
        for (const IndexHit& hit : page) {
          MAMORI_ASSIGN_OR_RETURN(auto name, r.KeyName(hit.key));
          paged.push_back(name.second);
        }
        cursor = page.back().key;
      }
      return core::Status::Ok();
    }),
                IsOk());
    EXPECT_EQ(ids, paged) << word;
    return ids;
  }

  int64_t MainRows() { return RawDb(path_).Int("SELECT count(*) FROM search_index"); }
  int64_t RecentRows() { return RawDb(path_).Int("SELECT count(*) FROM search_index_recent"); }
  // No row in both tables, and exactly as many rows as the resources say they have.
  void ExpectNoRowLostOrDuplicated() {
    RawDb db(path_);
    EXPECT_EQ(db.Int("SELECT count(*) FROM search_index a JOIN search_index_recent b "
                     "USING (hash, rid, low, high)"),
              0);
    EXPECT_EQ(db.Int("SELECT count(*) FROM search_index") +
                  db.Int("SELECT count(*) FROM search_index_recent"),
              db.Int("SELECT total(entries) FROM search_resource"));
  }

  // Writes p<from>..p<to-1>, three entries each: "common", "w<i>", "m<i%3>".
  void PutRange(int from, int to) {
    for (int i = from; i < to; ++i) {
      ASSERT_THAT(PutWords("p" + std::to_string(i),
                           "common w" + std::to_string(i) + " m" + std::to_string(i % 3)),
                  IsOk());
    }
  }
  // What Ids() must answer after PutRange(0, n) (keys follow creation order).
  static std::map<std::string, std::vector<std::string>> Expected(int n) {
    std::map<std::string, std::vector<std::string>> out;
    for (int i = 0; i < n; ++i) {
      std::string id = "p" + std::to_string(i);
      out["common"].push_back(id);
      out["w" + std::to_string(i)].push_back(id);
      out["m" + std::to_string(i % 3)].push_back(id);
    }
    return out;
  }
  void ExpectLookups(const std::map<std::string, std::vector<std::string>>& expected,
                     const std::string& when) {
    SCOPED_TRACE(when);
    for (const auto& [word, ids] : expected) EXPECT_THAT(Ids(word), ElementsAreArray(ids)) << word;
  }

  testing::FaultVfs& vfs_ = testing::FaultVfs::Get();
  // Seeded: the index key, so the hashes and how rows fall into the merge's
  // hash-range slices, are the same on every run (STYLE.md rule 14); the
  // cases count slices.
  core::DeterministicRandom random_{20261125};
  core::Env env_{core::Clock::Real(), random_, core::FileSystem::Posix()};
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(random_);
  std::string path_ = core::testing::MakeTempDir() + "/m.db";
  StoreOptions options_{.path = path_,
                        .kek = &kek_,
                        .checkpoint_interval_ms = 0,  // every fsync the test fails is a commit's
                        .indexer = WordIndexer(),
                        .vfs_name_for_test = vfs_.name(),
                        .index_merge_rows = 30,
                        .index_merge_slices = 4,
                        .index_merge_on_close = false,
                        .tree_head_interval_ms = 0};
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteIndexMergeTest, ALookupAnswersTheSameBeforeBetweenTheSlicesOfAndAfterAMerge) {
  Open();
  PutRange(0, 9);  // 27 rows: below the threshold of 30
  EXPECT_EQ(MainRows(), 0);
  EXPECT_EQ(RecentRows(), 27);
  ExpectLookups(Expected(9), "before");

  // 30 rows: the merge starts after this group; then one slice of 4 after
  // each group that adds nothing, until the small table is empty.
  PutRange(9, 10);
  bool seen_both = false;
  for (int step = 0; MainRows() < 30; ++step) {
    ASSERT_LT(step, 4);
    seen_both = seen_both || (MainRows() > 0 && RecentRows() > 0);
    ExpectLookups(Expected(10), "between slices, step " + std::to_string(step));
    ExpectNoRowLostOrDuplicated();
    ASSERT_THAT(NextSlice(), IsOk());
  }
  EXPECT_TRUE(seen_both);  // 23 distinct hashes over 4 slices: some state held both
  EXPECT_EQ(MainRows(), 30);
  EXPECT_EQ(RecentRows(), 0);
  ExpectLookups(Expected(10), "after the merge");

  // New rows of the same hashes go to the small table: one lookup now reads
  // both tables and merges them in key order, pages included.
  PutRange(10, 13);
  EXPECT_EQ(RecentRows(), 9);
  ExpectLookups(Expected(13), "rows in both tables");

  // An update and a delete remove rows from whichever table holds them.
  ASSERT_THAT(PutWords("p2", "other"), IsOk());  // its rows were merged
  ASSERT_THAT(Delete("p11"), IsOk());            // its rows are recent
  auto expected = Expected(13);
  for (auto& [word, ids] : expected)
    std::erase_if(ids, [](auto& id) { return id == "p2" || id == "p11"; });
  std::erase_if(expected, [](auto& e) { return e.second.empty(); });
  expected["other"] = {"p2"};
  ExpectLookups(expected, "after an update and a delete");
  EXPECT_THAT(Ids("w2"), ::testing::IsEmpty());
  EXPECT_THAT(Ids("w11"), ::testing::IsEmpty());
  ExpectNoRowLostOrDuplicated();

  // The same after a restart.
  Open();
  ExpectLookups(expected, "after a restart");
}

TEST_F(SqliteIndexMergeTest, ACrashDuringAMergeLosesNothingAndDuplicatesNothing) {
  Open();
  PutRange(0, 10);  // the merge starts: slice 1 of 4 committed
  const int64_t moved = MainRows();
  vfs_.FailNextSyncs(1);
  // The group itself writes nothing (no sync); slice 2's commit is the one
  // whose fsync fails, and undoes what it wrote (a crash).
  EXPECT_THAT(NextSlice(), IsOk());
  EXPECT_THAT(store_->WriteHealth(), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(PutWords("p99", "common"), StatusIs(StatusCode::kUnavailable));  // latched
  ExpectLookups(Expected(10), "latched after the failed slice");

  vfs_.Reset();
  Open();  // restart
  ASSERT_THAT(store_->WriteHealth(), IsOk());
  EXPECT_EQ(MainRows(), moved);  // slice 1 is durable, slice 2 left nothing
  EXPECT_EQ(MainRows() + RecentRows(), 30);
  ExpectNoRowLostOrDuplicated();
  ExpectLookups(Expected(10), "after the restart");

  // A full disk during the next merge: the same. Ten more resources while
  // the threshold is out of reach, then a restart with it reached, so the
  // first group after it starts a merge.
  options_.index_merge_rows = 1000;
  Open();
  PutRange(10, 20);
  options_.index_merge_rows = 30;
  Open();
  const int64_t before = MainRows();
  vfs_.SetDiskFull(true);
  EXPECT_THAT(NextSlice(), IsOk());
  EXPECT_THAT(store_->WriteHealth(), StatusIs(StatusCode::kUnavailable));
  vfs_.Reset();
  Open();
  EXPECT_EQ(MainRows(), before);
  EXPECT_EQ(MainRows() + RecentRows(), 60);
  ExpectNoRowLostOrDuplicated();
  ExpectLookups(Expected(20), "after a full disk");

  // The merge runs to the end once the disk is fine.
  for (int i = 0; i < 4; ++i) ASSERT_THAT(NextSlice(), IsOk());
  EXPECT_EQ(MainRows(), 60);
  EXPECT_EQ(RecentRows(), 0);
  ExpectLookups(Expected(20), "after the merge");

  // A clean close merges what the small table holds.
  options_.index_merge_on_close = true;
  Open();
  PutRange(20, 22);
  EXPECT_EQ(RecentRows(), 6);
  store_.reset();
  EXPECT_EQ(MainRows(), 66);
  EXPECT_EQ(RecentRows(), 0);
  Open();
  ExpectNoRowLostOrDuplicated();
  ExpectLookups(Expected(22), "after the merge on close");
}

TEST_F(SqliteIndexMergeTest, ABodyThatFailsTakesItsRowsWithItAndTheCountStaysRight) {
  Open();
  PutRange(0, 9);  // 27 rows
  // A body that writes three rows and then fails: rolled back and not
  // counted (counted, they would reach the threshold of 30 and start a merge).
  EXPECT_THAT(store_->Write([&](Transaction& tx) -> core::Status {
    std::vector<IndexEntry> entries;
    for (const char* word : {"common", "f1", "f2"}) {
      MAMORI_ASSIGN_OR_RETURN(std::string h, store_->BlindIndex(word));
      entries.push_back({.hash = h});
    }
    MAMORI_RETURN_IF_ERROR(
        tx.Put({.type = "Patient",
                .id = "failed",
                .render = [](int64_t, auto) { return std::string("common f1 f2"); },
                .index = entries})
            .status());
    return core::AbortedError("the body fails after writing");
  }),
              StatusIs(StatusCode::kAborted));
  EXPECT_EQ(RecentRows(), 27);
  ASSERT_THAT(NextSlice(), IsOk());
  EXPECT_EQ(MainRows(), 0);  // no merge yet
  PutRange(9, 10);
  for (int i = 0; i < 3; ++i) ASSERT_THAT(NextSlice(), IsOk());
  EXPECT_EQ(MainRows(), 30);
  EXPECT_EQ(RecentRows(), 0);
}

// A group that adds many rows (an import's) gets more slices, so the small
// table drains faster than such groups fill it instead of growing without
// bound at one slice a group.
TEST_F(SqliteIndexMergeTest, LargeGroupsGetEnoughSlicesToDrainTheSmallTable) {
  options_.index_merge_slices = 8;
  Open();
  for (int batch = 0; batch < 10; ++batch) {
    // One group of 20 resources, 60 rows: twice the threshold.
    ASSERT_THAT(store_->Write([&](Transaction& tx) -> core::Status {
      for (int i = batch * 20; i < batch * 20 + 20; ++i) {
        std::string id = "p" + std::to_string(i);
        std::string words = "common w" + std::to_string(i) + " m" + std::to_string(i % 3);
        std::vector<IndexEntry> entries;
        for (const std::string& w :
             {std::string("common"), "w" + std::to_string(i), "m" + std::to_string(i % 3)}) {
          MAMORI_ASSIGN_OR_RETURN(std::string h, store_->BlindIndex(w));
          entries.push_back({.hash = h});
        }
        MAMORI_RETURN_IF_ERROR(tx.Put({.type = "Patient",
                                       .id = id,
                                       .compartment = id,
                                       .render = [&](int64_t, auto) { return words; },
                                       .index = entries})
                                   .status());
      }
      return core::Status::Ok();
    }),
                IsOk());
    // Never more than the threshold plus about one group's rows waiting.
    EXPECT_LE(RecentRows(), 30 + 60) << "after group " << batch;
  }
  ExpectNoRowLostOrDuplicated();
  ExpectLookups(Expected(200), "after large groups");
}

TEST_F(SqliteIndexMergeTest, AReindexWritesTheMainTableAndEmptiesTheSmallOne) {
  Open();
  PutRange(0, 5);
  EXPECT_EQ(RecentRows(), 15);
  ASSERT_THAT(store_->RebuildSearchIndex(nullptr), IsOk());
  EXPECT_EQ(MainRows(), 15);
  EXPECT_EQ(RecentRows(), 0);
  ExpectNoRowLostOrDuplicated();
  ExpectLookups(Expected(5), "after the reindex");
}

TEST_F(SqliteIndexMergeTest, WithTheSecondLevelOffRowsGoStraightToTheMainTable) {
  options_.index_merge_rows = 0;
  Open();
  PutRange(0, 12);
  EXPECT_EQ(MainRows(), 36);
  EXPECT_EQ(RecentRows(), 0);
  ExpectLookups(Expected(12), "second level off");
}

// A lookup is one primary-key range scan of each table, in key order: no
// temporary B-tree sorts either side, so LIMIT stops each scan early.
TEST_F(SqliteIndexMergeTest, LookupsAreTwoIndexScans) {
  Open();
  PutRange(0, 1);
  RawDb db(path_);
  for (const char* sql : {internal::kLookupMainSql, internal::kLookupRecentSql}) {
    std::string plan = db.Plan(sql);
    EXPECT_THAT(plan, HasSubstr("USING PRIMARY KEY (hash=? AND rid>?)")) << sql;
    EXPECT_THAT(plan, Not(HasSubstr("TEMP B-TREE"))) << sql;
  }
  std::string one = db.Plan(internal::kLookupForSql);
  EXPECT_THAT(one, HasSubstr("SEARCH search_index USING PRIMARY KEY (hash=? AND rid=?)"));
  EXPECT_THAT(one, HasSubstr("SEARCH search_index_recent USING PRIMARY KEY (hash=? AND rid=?)"));
  EXPECT_THAT(one, Not(HasSubstr("TEMP B-TREE")));
  EXPECT_THAT(db.Plan(internal::kLookupMainSql), HasSubstr("SEARCH search_index USING"));
  EXPECT_THAT(db.Plan(internal::kLookupRecentSql), HasSubstr("SEARCH search_index_recent USING"));
}

}  // namespace
}  // namespace mamori::store

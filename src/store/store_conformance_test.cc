// SPDX-License-Identifier: Apache-2.0
// The conformance cases; linked into each backend's test binary.
#include "store/store_conformance_test.h"

#include <condition_variable>
#include <map>
#include <mutex>

namespace mamori::store::testing {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;

TEST_P(StoreConformanceTest, PutThenReadReturnsTheRenderedBody) {
  ASSERT_THAT(PutJson("Patient", "p1", "hello", "p1"), IsOk());
  auto v = store_->Read("Patient", "p1");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->json, R"({"v":1,"p":"hello"})");
  EXPECT_EQ(v->version, 1);
  EXPECT_FALSE(v->deleted);
}

TEST_P(StoreConformanceTest, ReadOfUnknownResourceIsNotFound) {
  EXPECT_THAT(store_->Read("Patient", "nope"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->ReadVersion("Patient", "nope", 1), StatusIs(StatusCode::kNotFound));
}

TEST_P(StoreConformanceTest, UpdatesKeepEveryVersion) {
  ASSERT_THAT(PutJson("Observation", "o1", "a", "p1"), IsOk());
  ASSERT_THAT(PutJson("Observation", "o1", "b", "p1"), IsOk());
  ASSERT_THAT(PutJson("Observation", "o1", "c", "p1"), IsOk());
  EXPECT_EQ(store_->Read("Observation", "o1")->json, R"({"v":3,"p":"c"})");
  EXPECT_EQ(store_->ReadVersion("Observation", "o1", 1)->json, R"({"v":1,"p":"a"})");
  EXPECT_EQ(store_->ReadVersion("Observation", "o1", 2)->json, R"({"v":2,"p":"b"})");
}

TEST_P(StoreConformanceTest, DeleteLeavesATombstoneAndTheHistory) {
  ASSERT_THAT(PutJson("Patient", "p1", "x", "p1"), IsOk());
  ASSERT_THAT(store_->Write([](Transaction& tx) {
    return tx.Put({.type = "Patient", .id = "p1", .compartment = "p1", .deleted = true}).status();
  }),
              IsOk());
  auto v = store_->Read("Patient", "p1");
  ASSERT_THAT(v, IsOk());
  EXPECT_TRUE(v->deleted);
  EXPECT_EQ(v->version, 2);
  EXPECT_EQ(store_->ReadVersion("Patient", "p1", 1)->json, R"({"v":1,"p":"x"})");
}

TEST_P(StoreConformanceTest, AFailingBodyRollsBackAloneWhileOthersCommit) {
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      core::Status s = store_->Write([&](Transaction& tx) -> core::Status {
        MAMORI_RETURN_IF_ERROR(tx.Put({.type = "Basic",
                                       .id = "b" + std::to_string(i),
                                       .render = [](int64_t, auto) { return std::string("{}"); }})
                                   .status());
        if (i % 2 == 1) return core::AbortedError("odd bodies fail after writing");
        return core::Status::Ok();
      });
      (s.ok() ? ok : failed)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(failed.load(), 8);
  for (int i = 0; i < 16; ++i) {
    auto r = store_->Read("Basic", "b" + std::to_string(i));
    EXPECT_THAT(r, StatusIs(i % 2 == 0 ? StatusCode::kOk : StatusCode::kNotFound)) << i;
  }
}

// WriteAsync (issue 6: the audited read's append) gives each body's own
// result to its callback, once, after its group; bodies mixed with
// synchronous writes commit the same way.
TEST_P(StoreConformanceTest, AsyncWritesReportEachBodysResultOnce) {
  constexpr int kWrites = 24;
  std::mutex mu;
  std::condition_variable all_done;
  std::map<int, std::vector<core::Status>> results;
  for (int i = 0; i < kWrites; ++i) {
    store_->WriteAsync(
        [i](Transaction& tx) -> core::Status {
          MAMORI_RETURN_IF_ERROR(tx.Put({.type = "Basic",
                                         .id = "a" + std::to_string(i),
                                         .render = [](int64_t, auto) { return std::string("{}"); }})
                                     .status());
          if (i % 3 == 0) return core::AbortedError("every third body fails after writing");
          return core::Status::Ok();
        },
        [&, i](core::Status s) {
          std::lock_guard lock(mu);
          results[i].push_back(std::move(s));
          all_done.notify_all();
        });
  }
  ASSERT_THAT(PutJson("Patient", "sync", "between", "sync"), IsOk());
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(all_done.wait_for(lock, std::chrono::seconds(30),
                                  [&] { return results.size() == kWrites; }));
  }
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_EQ(results[i].size(), 1u) << i;
    if (i % 3 == 0) {
      EXPECT_THAT(results[i][0], StatusIs(StatusCode::kAborted)) << i;
      EXPECT_THAT(store_->Read("Basic", "a" + std::to_string(i)), StatusIs(StatusCode::kNotFound));
    } else {
      EXPECT_THAT(results[i][0], IsOk()) << i;
      EXPECT_THAT(store_->Read("Basic", "a" + std::to_string(i)), IsOk());
    }
  }
  EXPECT_THAT(store_->Read("Patient", "sync"), IsOk());
}

TEST_P(StoreConformanceTest, ConcurrentCheckedUpdatesLoseNothing) {
  // The If-Match pattern: read the current version inside the body, fail on a
  // mismatch, retry. 8 writers x 25 increments must end at version 201.
  ASSERT_THAT(PutJson("Counter", "c", "0"), IsOk());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int n = 0; n < 25;) {
        int64_t seen = store_->Read("Counter", "c")->version;
        core::Status s = store_->Write([&](Transaction& tx) -> core::Status {
          MAMORI_ASSIGN_OR_RETURN(auto current, tx.ReadCurrent("Counter", "c"));
          int64_t current_version = current.has_value() ? current.value().version : -1;
          if (current_version != seen) return core::AbortedError("version conflict");
          return tx
              .Put({.type = "Counter",
                    .id = "c",
                    .render = [](int64_t v, auto) { return std::to_string(v); }})
              .status();
        });
        if (s.ok()) ++n;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->Read("Counter", "c")->version, 201);
}

TEST_P(StoreConformanceTest, HistoryIsNewestFirstWithStablePages) {
  for (int i = 0; i < 5; ++i) ASSERT_THAT(PutJson("Observation", "o", std::to_string(i)), IsOk());
  auto first = store_->History({.type = "Observation", .id = "o", .limit = 2});
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(first->versions.size(), 2u);
  EXPECT_EQ(first->versions[0].version, 5);
  EXPECT_EQ(first->total, 5);
  // A write between pages must not shift the next page.
  ASSERT_THAT(PutJson("Observation", "o", "late"), IsOk());
  auto second = store_->History({.type = "Observation",
                                 .id = "o",
                                 .before_sequence = first->next_before_sequence,
                                 .limit = 2});
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->versions[0].version, 3);
  EXPECT_EQ(second->versions[1].version, 2);
}

TEST_P(StoreConformanceTest, TypeAndSystemHistoryCoverEveryVersion) {
  ASSERT_THAT(PutJson("Patient", "a", "1", "a"), IsOk());
  ASSERT_THAT(PutJson("Patient", "b", "1", "b"), IsOk());
  ASSERT_THAT(PutJson("Observation", "o", "1", "a"), IsOk());
  EXPECT_EQ(store_->History({.type = "Patient"})->total, 2);
  EXPECT_EQ(store_->History({})->total, 3);
  EXPECT_THAT(store_->History({.limit = 0}), StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(StoreConformanceTest, DataSurvivesReopen) {
  ASSERT_THAT(PutJson("Patient", "p1", "durable", "p1"), IsOk());
  Reopen(kek_);
  EXPECT_EQ(store_->Read("Patient", "p1")->json, R"({"v":1,"p":"durable"})");
}

TEST_P(StoreConformanceTest, AnotherMasterKeyOpensNothing) {
  ASSERT_THAT(PutJson("Patient", "p1", "secret", "p1"), IsOk());
  crypto::AeadKey other = crypto::AeadKey::Generate(core::Random::Secure());
  store_.reset();
  auto reopened = factory_->Open(other);
  // Refused at open (the index key does not unwrap) or, at the latest, at read.
  if (reopened.ok()) {
    store_ = std::move(*reopened);
    auto r = store_->Read("Patient", "p1");
    EXPECT_THAT(r, StatusIs(StatusCode::kDataLoss));
    EXPECT_THAT(r.status().message(), ::testing::Not(HasSubstr("secret")));
  } else {
    EXPECT_THAT(reopened, StatusIs(StatusCode::kDataLoss));
    EXPECT_THAT(reopened.status().message(), ::testing::Not(HasSubstr("secret")));
  }
}

// Writes type/id with `entries` (or a tombstone) in its own compartment.
core::Status PutIndexed(Store& store, const std::string& type, const std::string& id,
                        std::vector<IndexEntry> entries, bool deleted = false) {
  return store.Write([&](Transaction& tx) {
    NewVersion v{.type = type,
                 .id = id,
                 .compartment = id,
                 .deleted = deleted,
                 .render = [](int64_t, auto) { return std::string("{}"); },
                 .index = std::move(entries)};
    return tx.Put(v).status();
  });
}

std::vector<std::string> Ids(Store& store, const std::string& hash) {
  std::vector<std::string> ids;
  EXPECT_THAT(store.ReadSnapshot([&](IndexReader& r) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(auto hits, r.LookupIndex(hash, 0, 0));
    for (const IndexHit& h : hits) {
      MAMORI_ASSIGN_OR_RETURN(auto name, r.KeyName(h.key));
      ids.push_back(name.second);
    }
    return core::Status::Ok();
  }),
              IsOk());
  return ids;
}

TEST_P(StoreConformanceTest, BlindIndexIsAKeyedTruncatedMac) {
  auto hash = store_->BlindIndex("urn:oid:1.2|12345");
  ASSERT_THAT(hash, IsOk());
  EXPECT_EQ(hash->size(), kIndexHashSize);
  EXPECT_EQ(*store_->BlindIndex("urn:oid:1.2|12345"), *hash);
  EXPECT_NE(*store_->BlindIndex("urn:oid:1.2|12346"), *hash);
  EXPECT_THAT(*hash, ::testing::Not(HasSubstr("12345")));
}

TEST_P(StoreConformanceTest, IndexEntriesFindCurrentVersionsOnly) {
  std::string hash = *store_->BlindIndex("identifier|urn:oid:1.2|12345");
  ASSERT_THAT(PutIndexed(*store_, "Patient", "a", {{.hash = hash}}), IsOk());
  ASSERT_THAT(PutIndexed(*store_, "Patient", "b", {{.hash = hash}}), IsOk());
  ASSERT_THAT(PutIndexed(*store_, "Patient", "c", {}), IsOk());
  EXPECT_THAT(Ids(*store_, hash), ::testing::ElementsAre("a", "b"));   // key (creation) order
  ASSERT_THAT(PutIndexed(*store_, "Patient", "a", {}), IsOk());        // new version without it
  ASSERT_THAT(PutIndexed(*store_, "Patient", "b", {}, true), IsOk());  // deleted
  EXPECT_THAT(Ids(*store_, hash), ::testing::IsEmpty());
  ASSERT_THAT(PutIndexed(*store_, "Patient", "b", {{.hash = hash}}), IsOk());  // recreated
  EXPECT_THAT(Ids(*store_, hash), ::testing::ElementsAre("b"));
}

TEST_P(StoreConformanceTest, KeysAreStableAndPageInCreationOrder) {
  std::string hash = *store_->BlindIndex("all");
  for (const char* id : {"x", "y", "z"}) {
    ASSERT_THAT(PutIndexed(*store_, "Observation", id, {{.hash = hash}}), IsOk());
  }
  ASSERT_THAT(PutIndexed(*store_, "Observation", "x", {{.hash = hash}}), IsOk());  // update
  ASSERT_THAT(store_->ReadSnapshot([&](IndexReader& r) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(auto first, r.LookupIndex(hash, 0, 2));
    EXPECT_EQ(first.size(), 2u);
    MAMORI_ASSIGN_OR_RETURN(auto rest, r.LookupIndex(hash, first.back().key, 0));
    EXPECT_EQ(rest.size(), 1u);
    MAMORI_ASSIGN_OR_RETURN(auto name, r.KeyName(first[0].key));
    EXPECT_EQ(name.second, "x");  // the update kept x's key
    MAMORI_ASSIGN_OR_RETURN(auto key, r.KeyOf("Observation", "z"));
    EXPECT_EQ(key, rest[0].key);
    MAMORI_ASSIGN_OR_RETURN(auto v, r.ReadByKey(first[0].key));
    EXPECT_TRUE(v.has_value() && v->version == 2 && v->key == first[0].key);
    MAMORI_ASSIGN_OR_RETURN(auto none, r.KeyOf("Observation", "never"));
    EXPECT_FALSE(none.has_value());
    return core::Status::Ok();
  }),
              IsOk());
}

TEST_P(StoreConformanceTest, RangesComeBackAsWritten) {
  std::string date = *store_->BlindIndex("date");
  std::string num = *store_->BlindIndex("num");
  std::string updated = *store_->BlindIndex("updated");
  double inf = std::numeric_limits<double>::infinity();
  ASSERT_THAT(
      PutIndexed(*store_, "Observation", "o",
                 {{.hash = date, .range = IndexEntry::Range::kTime, .time_low = -5, .time_high = 7},
                  {.hash = date,
                   .range = IndexEntry::Range::kTime,
                   .time_low = std::numeric_limits<int64_t>::min(),
                   .time_high = std::numeric_limits<int64_t>::max()},
                  {.hash = num,
                   .range = IndexEntry::Range::kNumber,
                   .number_low = 5.25,
                   .number_high = inf},
                  {.hash = updated, .range = IndexEntry::Range::kWriteTime}}),
      IsOk());
  ASSERT_THAT(store_->ReadSnapshot([&](IndexReader& r) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(auto dates, r.LookupIndex(date, 0, 0));
    EXPECT_EQ(dates.size(), 2u);
    bool small = false, open = false;
    for (const IndexHit& h : dates) {
      small = small || (h.time_low == -5 && h.time_high == 7);
      open = open || (h.time_low == std::numeric_limits<int64_t>::min() &&
                      h.time_high == std::numeric_limits<int64_t>::max());
    }
    EXPECT_TRUE(small && open);
    MAMORI_ASSIGN_OR_RETURN(auto nums, r.LookupIndex(num, 0, 0));
    EXPECT_TRUE(nums.size() == 1 && nums[0].number_low == 5.25 && nums[0].number_high == inf);
    MAMORI_ASSIGN_OR_RETURN(auto up, r.LookupIndex(updated, 0, 0));
    MAMORI_ASSIGN_OR_RETURN(auto v, r.ReadByKey(up.at(0).key));
    int64_t us =
        std::chrono::duration_cast<std::chrono::microseconds>(v->last_updated.time_since_epoch())
            .count();
    EXPECT_EQ(up[0].time_low, us);
    EXPECT_EQ(up[0].time_high, us + 1);
    return core::Status::Ok();
  }),
              IsOk());
}

TEST_P(StoreConformanceTest, AForeignHashIsRefusedAndTheWriteRollsBack) {
  EXPECT_THAT(PutIndexed(*store_, "Patient", "p", {{.hash = "short"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->Read("Patient", "p"), StatusIs(StatusCode::kNotFound));
}

TEST_P(StoreConformanceTest, IndexWritesShareTheBodysRollback) {
  std::string hash = *store_->BlindIndex("x");
  core::Status s = store_->Write([&](Transaction& tx) -> core::Status {
    MAMORI_RETURN_IF_ERROR(tx.Put({.type = "Patient",
                                   .id = "r",
                                   .compartment = "r",
                                   .render = [](int64_t, auto) { return std::string("{}"); },
                                   .index = {{.hash = hash}}})
                               .status());
    MAMORI_ASSIGN_OR_RETURN(auto seen, tx.LookupIndex(hash, 0, 0));  // own write visible
    EXPECT_EQ(seen.size(), 1u);
    return core::AbortedError("changed my mind");
  });
  EXPECT_THAT(s, StatusIs(StatusCode::kAborted));
  EXPECT_THAT(Ids(*store_, hash), ::testing::IsEmpty());
}

TEST_P(StoreConformanceTest, TheIndexSurvivesReopening) {
  std::string hash = *store_->BlindIndex("persist");
  ASSERT_THAT(PutIndexed(*store_, "Patient", "k", {{.hash = hash}}), IsOk());
  Reopen(kek_);
  EXPECT_EQ(*store_->BlindIndex("persist"), hash);  // the index key persists too
  EXPECT_THAT(Ids(*store_, hash), ::testing::ElementsAre("k"));
}

// Sealed records (auth accounts, OAuth clients): versioned, refused when
// stale, surviving a reopen, unreadable under another master key.
core::Result<int64_t> PutRecord(Store& store, const std::string& key, const std::string& body,
                                int64_t expected) {
  int64_t version = 0;
  core::Status s = store.Write([&](Transaction& tx) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(version, tx.PutRecord("account", key, body, expected));
    return core::Status::Ok();
  });
  if (!s.ok()) return s;
  return version;
}

TEST_P(StoreConformanceTest, RecordsAreVersionedAndRefuseStaleWrites) {
  EXPECT_THAT(PutRecord(*store_, "a1", "first", 0), core::testing::IsOkAndHolds(1));
  EXPECT_THAT(PutRecord(*store_, "a1", "again", 0), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(PutRecord(*store_, "a1", "second", 1), core::testing::IsOkAndHolds(2));
  EXPECT_THAT(PutRecord(*store_, "a1", "stale", 1), StatusIs(StatusCode::kAborted));
  EXPECT_THAT(PutRecord(*store_, "a2", "other", 0), IsOk());
  EXPECT_THAT(PutRecord(*store_, "", "x", 0), StatusIs(StatusCode::kInvalidArgument));
  auto got = store_->GetRecord("account", "a1");
  ASSERT_THAT(got, IsOk());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->body, "second");
  EXPECT_EQ((*got)->version, 2);
  EXPECT_FALSE(store_->GetRecord("account", "nope")->has_value());
  EXPECT_FALSE(store_->GetRecord("oauth-client", "a1")->has_value());
  auto all = store_->ListRecords("account");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].body, "other");
}

TEST_P(StoreConformanceTest, RecordsSurviveReopenAndOpenOnlyUnderTheirKey) {
  ASSERT_THAT(PutRecord(*store_, "a1", "sealed body", 0), IsOk());
  Reopen(kek_);
  EXPECT_EQ((*store_->GetRecord("account", "a1"))->body, "sealed body");
  crypto::AeadKey other = crypto::AeadKey::Generate(core::Random::Secure());
  store_.reset();
  auto wrong = factory_->Open(other);
  // Either the store refuses the key outright, or the record does not open.
  if (wrong.ok()) {
    EXPECT_THAT((*wrong)->GetRecord("account", "a1"), StatusIs(StatusCode::kDataLoss));
  } else {
    EXPECT_THAT(wrong, StatusIs(StatusCode::kDataLoss));
  }
}

}  // namespace
}  // namespace mamori::store::testing

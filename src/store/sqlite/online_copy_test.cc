// SPDX-License-Identifier: Apache-2.0
// store::CopyDatabase (issue 8): a copy taken while 4 writers keep committing
// opens with the same key and holds exactly a prefix of the commit order —
// every version up to the snapshot point and none after it, no gaps, every
// body readable.
#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "store/store.h"

namespace mamori::store {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;

core::Status Put(Store& store, const std::string& id, int n) {
  return store.Write([&](Transaction& tx) -> core::Status {
    return tx
        .Put({.type = "Observation",
              .id = id,
              .compartment = "p" + std::to_string(n % 7),
              .render =
                  [n](int64_t, core::Clock::WallTime) {
                    return R"({"resourceType":"Observation","valueInteger":)" + std::to_string(n) +
                           "}";
                  }})
        .status();
  });
}

TEST(CopyDatabaseTest, ACopyDuringFourConcurrentWritersIsAConsistentPrefix) {
  core::Env env = core::Env::Real();
  crypto::AeadKey kek = crypto::AeadKey::Generate(env.random());
  std::string dir = core::testing::MakeTempDir();
  auto store = OpenStore({.path = dir + "/m.db", .kek = &kek}, env);
  ASSERT_THAT(store, IsOk());
  for (int i = 0; i < 50; ++i) ASSERT_THAT(Put(**store, "seed" + std::to_string(i), i), IsOk());

  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        if (Put(**store, "w" + std::to_string(w) + "-" + std::to_string(i % 40), i).ok()) {
          ++committed;
        }
      }
    });
  }
  while (committed < 200) std::this_thread::yield();
  auto copy = CopyDatabase(dir + "/m.db", dir + "/copy.db");
  int committed_before_copy_returned = committed;
  stop = true;
  for (std::thread& t : writers) t.join();
  ASSERT_THAT(copy, IsOk());
  EXPECT_GT(copy->pages, 0);

  auto copied = OpenStore({.path = dir + "/copy.db", .kek = &kek}, env);
  ASSERT_THAT(copied, IsOk());
  // Walk the whole history of the copy: sequences 1..N with no gap, every
  // body opens, and N lies between the seed and everything committed.
  std::vector<int64_t> sequences;
  HistoryQuery query{.limit = 1000};
  while (true) {
    auto page = (*copied)->History(query);
    ASSERT_THAT(page, IsOk());
    for (const ResourceVersion& v : page->versions) {
      sequences.push_back(v.sequence);
      EXPECT_THAT(v.json, ::testing::HasSubstr("valueInteger"));
    }
    if (page->next_before_sequence == 0) break;
    query.before_sequence = page->next_before_sequence;
  }
  std::sort(sequences.begin(), sequences.end());
  ASSERT_FALSE(sequences.empty());
  for (size_t i = 0; i < sequences.size(); ++i)
    EXPECT_EQ(sequences[i], static_cast<int64_t>(i + 1));
  EXPECT_GE(sequences.size(), 50u + 200u);
  EXPECT_LE(sequences.size(), 50u + static_cast<size_t>(committed_before_copy_returned) + 4u);
}

TEST(CopyDatabaseTest, RefusesToOverwriteAnExistingFile) {
  core::Env env = core::Env::Real();
  crypto::AeadKey kek = crypto::AeadKey::Generate(env.random());
  std::string dir = core::testing::MakeTempDir();
  ASSERT_THAT(OpenStore({.path = dir + "/m.db", .kek = &kek}, env), IsOk());
  ASSERT_THAT(CopyDatabase(dir + "/m.db", dir + "/copy.db"), IsOk());
  EXPECT_THAT(CopyDatabase(dir + "/m.db", dir + "/copy.db"),
              StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace mamori::store

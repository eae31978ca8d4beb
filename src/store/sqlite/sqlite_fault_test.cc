// SPDX-License-Identifier: Apache-2.0
// Fail closed (DESIGN invariant 2, STYLE.md rules 12 and 30): a failed fsync
// or a full disk during a commit fails every body of that group with
// kUnavailable, leaves nothing of the group on disk, and latches the store
// read-only until restart while committed data stays readable.
#include <future>
#include <optional>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "store/store.h"
#include "store/testing/fault_vfs.h"

namespace mamori::store {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;

class SqliteFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_.Reset();
    Open();
  }
  void TearDown() override { vfs_.Reset(); }

  void Open() {
    store_.reset();
    auto s = OpenStore({.path = path_,
                        .kek = &kek_,
                        .checkpoint_interval_ms = 0,
                        .vfs_name_for_test = vfs_.name()},
                       env_);
    ASSERT_THAT(s, IsOk());
    store_ = std::move(*s);
  }

  core::Status Put(const std::string& id) {
    return store_->Write([&](Transaction& tx) {
      return tx
          .Put({.type = "Patient",
                .id = id,
                .compartment = id,
                .render = [](int64_t, auto) { return std::string("{\"x\":1}"); }})
          .status();
    });
  }

  // Writes ids concurrently so they share group commits; returns the statuses.
  std::vector<core::Status> PutConcurrently(const std::vector<std::string>& ids) {
    std::vector<core::Status> out(ids.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < ids.size(); ++i) {
      threads.emplace_back([&, i] { out[i] = Put(ids[i]); });
    }
    for (auto& t : threads) t.join();
    return out;
  }

  testing::FaultVfs& vfs_ = testing::FaultVfs::Get();
  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(core::Random::Secure());
  std::string path_ = core::testing::MakeTempDir() + "/m.db";
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteFaultTest, CommitsAreFsynced) {
  int before = vfs_.successful_syncs();
  ASSERT_THAT(Put("p0"), IsOk());
  EXPECT_GT(vfs_.successful_syncs(), before);
}

TEST_F(SqliteFaultTest, FailedFsyncFailsTheWriteAndLatchesReadOnly) {
  ASSERT_THAT(Put("committed"), IsOk());
  vfs_.FailNextSyncs(1);
  EXPECT_THAT(Put("lost"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store_->WriteHealth(), StatusIs(StatusCode::kUnavailable));
  // Latched: later writes fail even though the disk is fine again.
  EXPECT_THAT(Put("after"), StatusIs(StatusCode::kUnavailable));
  // Committed data stays readable; the failed write is not visible.
  EXPECT_THAT(store_->Read("Patient", "committed"), IsOk());
  EXPECT_THAT(store_->Read("Patient", "lost"), StatusIs(StatusCode::kNotFound));
}

// The async path fails closed the same way: the callback gets kUnavailable
// for the failed group (the audited read then answers 503), and once latched
// a later WriteAsync is refused at once, on the caller's thread.
TEST_F(SqliteFaultTest, FailedFsyncFailsAnAsyncWriteAndLatchedStoreRefusesAtOnce) {
  ASSERT_THAT(Put("committed"), IsOk());
  vfs_.FailNextSyncs(1);
  std::promise<core::Status> failed;
  store_->WriteAsync(
      [](Transaction& tx) {
        return tx
            .Put({.type = "Patient",
                  .id = "lost",
                  .compartment = "lost",
                  .render = [](int64_t, auto) { return std::string("{}"); }})
            .status();
      },
      [&failed](core::Status s) { failed.set_value(std::move(s)); });
  EXPECT_THAT(failed.get_future().get(), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store_->Read("Patient", "lost"), StatusIs(StatusCode::kNotFound));

  std::optional<core::Status> refused;
  std::thread::id answered_on;
  store_->WriteAsync([](Transaction&) { return core::Status::Ok(); },
                     [&](core::Status s) {
                       refused = std::move(s);
                       answered_on = std::this_thread::get_id();
                     });
  ASSERT_TRUE(refused.has_value());  // answered before WriteAsync returned
  EXPECT_THAT(*refused, StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(answered_on, std::this_thread::get_id());
}

TEST_F(SqliteFaultTest, FailedFsyncLeavesNothingOfTheGroupAfterRestart) {
  ASSERT_THAT(Put("committed"), IsOk());
  vfs_.FailNextSyncs(1);
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back("g" + std::to_string(i));
  std::vector<core::Status> results = PutConcurrently(ids);
  vfs_.Reset();
  Open();  // restart
  ASSERT_THAT(store_->WriteHealth(), IsOk());
  for (size_t i = 0; i < ids.size(); ++i) {
    // Every write either committed (acknowledged OK) or left nothing.
    auto r = store_->Read("Patient", ids[i]);
    if (results[i].ok()) {
      EXPECT_THAT(r, IsOk()) << ids[i] << " was acknowledged but is gone";
    } else {
      EXPECT_THAT(results[i], StatusIs(StatusCode::kUnavailable));
      EXPECT_THAT(r, StatusIs(StatusCode::kNotFound)) << ids[i] << " failed but is present";
    }
  }
  EXPECT_THAT(store_->Read("Patient", "committed"), IsOk());
  EXPECT_THAT(Put("fresh"), IsOk());
}

TEST_F(SqliteFaultTest, FullDiskFailsTheWriteAndLeavesNothing) {
  ASSERT_THAT(Put("committed"), IsOk());
  vfs_.SetDiskFull(true);
  core::Status s = Put("lost");
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable));
  vfs_.Reset();
  EXPECT_THAT(Put("after"), StatusIs(StatusCode::kUnavailable));  // latched
  Open();
  EXPECT_THAT(store_->Read("Patient", "lost"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->Read("Patient", "committed"), IsOk());
}

}  // namespace
}  // namespace mamori::store

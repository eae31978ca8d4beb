// SPDX-License-Identifier: Apache-2.0
// Backups on a schedule inside `serve` (issue 8; GUIDELINE SYS-58): driven by
// the injected clock, one run goes into every destination, and each result
// (snapshot or failure) is an event in the audit ledger.
#include "cli/backup_schedule.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backup/repository.h"
#include "cli/master_key.h"
#include "cli/testing/quick_init.h"
#include "core/testing/deterministic_random.h"
#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "ledger/audit_event.h"

namespace mamori::cli {
namespace {

using core::testing::IsOk;
using core::testing::MakeTempDir;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class BackupScheduleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir() + "/d";
    InitOptions init = testing::QuickInitOptions(dir_);
    ASSERT_THAT(InitDataDir(init, real_), IsOk());
    auto kek = UnlockMasterKey(dir_, init.passphrase, real_);
    ASSERT_THAT(kek, IsOk());
    kek_.emplace(std::move(kek).value());
    auto store =
        store::OpenStore({.path = core::JoinPath(dir_, kDatabaseFile), .kek = &*kek_}, real_);
    ASSERT_THAT(store, IsOk());
    store_ = std::move(store).value();
  }
  std::vector<ledger::AuditEvent> BackupEvents() {
    std::vector<ledger::AuditEvent> out;
    auto leaves = store_->AuditLeaves(0, store_->AuditTreeSize());
    EXPECT_THAT(leaves, IsOk());
    for (const std::string& leaf : *leaves) {
      auto json = store_->OpenAuditLeaf(leaf);
      EXPECT_THAT(json, IsOk());
      auto event = ledger::ParseAuditEvent(*json);
      EXPECT_THAT(event, IsOk());
      if (event->action == "backup") out.push_back(*event);
    }
    return out;
  }

  core::Env real_ = core::Env::Real();
  core::SimulatedClock clock_;  // 2026-01-01T00:00:00Z = 09:00 JST
  core::DeterministicRandom random_{3};
  core::Env env_{clock_, random_, real_.fs()};
  std::string dir_;
  std::optional<crypto::AeadKey> kek_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(BackupScheduleTest, ADueRunGoesIntoEveryDestinationAndIsRecordedInTheLedger) {
  std::string nas = MakeTempDir() + "/nas";
  std::string usb = "archive:" + MakeTempDir() + "/usb.mamori";
  auto schedule = backup::Schedule::Parse("daily 02:30");
  ASSERT_THAT(schedule, IsOk());
  ScheduledBackups backups(*schedule, {.data_dir = dir_, .kek = &*kek_, .destinations = {nas, usb}},
                           *store_, env_);
  // 02:30 JST on 2 January is 17:30 UTC on 1 January.
  EXPECT_EQ(core::FormatRfc3339(backups.next()), "2026-01-01T17:30:00.000Z");
  EXPECT_FALSE(backups.RunIfDue());
  clock_.Advance(std::chrono::hours(17) + std::chrono::minutes(29));
  EXPECT_FALSE(backups.RunIfDue());
  EXPECT_THAT(BackupEvents(), IsEmpty());
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_TRUE(backups.RunIfDue());
  EXPECT_FALSE(backups.RunIfDue());  // once per scheduled time
  EXPECT_EQ(core::FormatRfc3339(backups.next()), "2026-01-02T17:30:00.000Z");

  std::vector<ledger::AuditEvent> events = BackupEvents();
  ASSERT_THAT(events, SizeIs(2));
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].route, i == 0 ? nas : usb);
    EXPECT_EQ(events[i].outcome, "success");
    EXPECT_EQ(events[i].method, "SCHEDULE");
    EXPECT_EQ(events[i].time_ms, 1767288600000u);  // 2026-01-01T17:30Z
    auto dest = backup::OpenDestination(events[i].route);
    ASSERT_THAT(dest, IsOk());
    auto snapshots = backup::ListSnapshots(**dest);
    ASSERT_THAT(snapshots, IsOk());
    ASSERT_THAT(*snapshots, SizeIs(1));
    EXPECT_EQ((*snapshots)[0].id, events[i].resource_id);
    EXPECT_TRUE((*snapshots)[0].signature_ok);
  }
}

TEST_F(BackupScheduleTest, AFailedDestinationIsRecordedAsAFailureAndTheOthersStillRun) {
  std::string blocked = MakeTempDir() + "/file";
  ASSERT_THAT(core::WriteFileAtomically(real_.fs(), blocked, "not a directory", 0600), IsOk());
  std::string nas = MakeTempDir() + "/nas";
  auto schedule = backup::Schedule::Parse("*/10 * * * *");
  ASSERT_THAT(schedule, IsOk());
  ScheduledBackups backups(
      *schedule, {.data_dir = dir_, .kek = &*kek_, .destinations = {blocked, nas}}, *store_, env_);
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_TRUE(backups.RunIfDue());
  std::vector<ledger::AuditEvent> events = BackupEvents();
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(events[0].route, blocked);
  EXPECT_EQ(events[0].outcome, "failure");
  EXPECT_FALSE(events[0].reason.empty());
  EXPECT_EQ(events[1].outcome, "success");
}

TEST_F(BackupScheduleTest, TheThreadStopsPromptly) {
  auto schedule = backup::Schedule::Parse("daily 02:30");
  ASSERT_THAT(schedule, IsOk());
  ScheduledBackups backups(*schedule, {.data_dir = dir_, .kek = &*kek_}, *store_, env_);
  backups.Start();
  backups.Stop();
  EXPECT_THAT(BackupEvents(), IsEmpty());
}

}  // namespace
}  // namespace mamori::cli

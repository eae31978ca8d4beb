// SPDX-License-Identifier: Apache-2.0
// Retention and pruning (issue 8; GUIDELINE SYS-58, EMG-03): the serving
// process's destination can add snapshots but not remove or overwrite any;
// prune without the admin key refuses and changes nothing; prune with it
// keeps exactly the retained generations and the chunks they need.
#include "backup/retention.h"

#include <filesystem>
#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backup/internal/manifest.h"
#include "core/testing/deterministic_random.h"
#include "core/testing/mem_file_system.h"
#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace mamori::backup {
namespace {

namespace fs = std::filesystem;
using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

constexpr int64_t kDay = 86'400'000'000;
// 2026-11-02 00:00:00Z, a Monday.
constexpr int64_t kMonday = 1'793'577'600'000'000;

SnapshotInfo At(std::string id, int64_t us) {
  return {.id = std::move(id), .created_us = us, .signature_ok = true};
}

TEST(RetentionTest, KeepsTheNewestOfEachOfTheLastDaysWeeksAndMonths) {
  std::vector<SnapshotInfo> s;
  // Two snapshots a day for 70 days, at 02:00 and 14:00 UTC.
  for (int d = 0; d < 70; ++d) {
    int64_t day = kMonday - int64_t{69 - d} * kDay;
    s.push_back(At("d" + std::to_string(d) + "a", day + 2 * 3'600'000'000LL));
    s.push_back(At("d" + std::to_string(d) + "b", day + 14 * 3'600'000'000LL));
  }
  std::set<std::string> daily =
      RetainedSnapshots(s, {.last = 0, .daily = 3, .weekly = 0, .monthly = 0});
  EXPECT_THAT(daily, UnorderedElementsAreArray({"d69b", "d68b", "d67b"}));
  // Day 69 is Monday 2026-11-02: weeks end on the Sundays of days 68, 61, 54.
  std::set<std::string> weekly =
      RetainedSnapshots(s, {.last = 0, .daily = 0, .weekly = 3, .monthly = 0});
  EXPECT_THAT(weekly, UnorderedElementsAreArray({"d69b", "d68b", "d61b"}));
  // Months end on day 69 (2026-11-02, November so far), 67 (10-31) and 36 (09-30).
  std::set<std::string> monthly =
      RetainedSnapshots(s, {.last = 0, .daily = 0, .weekly = 0, .monthly = 3});
  EXPECT_THAT(monthly, UnorderedElementsAreArray({"d69b", "d67b", "d36b"}));
  std::set<std::string> last =
      RetainedSnapshots(s, {.last = 2, .daily = 0, .weekly = 0, .monthly = 0});
  EXPECT_THAT(last, UnorderedElementsAreArray({"d69b", "d69a"}));
  // An unverified manifest is never counted as a generation.
  s.back().signature_ok = false;
  EXPECT_THAT(RetainedSnapshots(s, {.last = 1, .daily = 0, .weekly = 0, .monthly = 0}),
              ElementsAre("d69a"));
}

void WriteRandom(const std::string& path, size_t size, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(gen());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

void WriteAll(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class PruneTest : public ::testing::Test {
 protected:
  PruneTest() {
    source_ = core::testing::MakeTempDir();
    repo_dir_ = core::testing::MakeTempDir() + "/repo";
    auto dest = OpenDirectoryDestination(repo_dir_);
    EXPECT_THAT(dest, IsOk());
    dest_ = std::move(dest).value();
    EXPECT_THAT(InitRepository(*dest_, keys_, kek_, env_, admin_.key.PublicKey()), IsOk());
    clock_.SetNow(core::SimulatedClock::FromUnixSeconds(kMonday / 1'000'000 - 10 * 86'400));
  }
  // One snapshot a day for `days` days, each of different data.
  void DailySnapshots(int days) {
    for (int d = 0; d < days; ++d) {
      WriteRandom(source_ + "/mamori.db", 200'000, 100 + ids_.size());
      auto s =
          CreateSnapshot(*dest_, keys_, {.files = {{"mamori.db", source_ + "/mamori.db"}}}, env_);
      ASSERT_THAT(s, IsOk());
      ids_.push_back(s->id);
      contents_[s->id] = ReadAll(source_ + "/mamori.db");
      clock_.Advance(std::chrono::hours(24));
    }
  }
  // Every object of the repository with its bytes.
  std::map<std::string, std::string> Everything() {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(repo_dir_)) {
      if (e.is_regular_file()) out[fs::relative(e.path(), repo_dir_).string()] = ReadAll(e.path());
    }
    return out;
  }
  std::unique_ptr<PrunableDestination> ForPrune() {
    auto d = OpenDirectoryDestinationForPrune(repo_dir_);
    EXPECT_THAT(d, IsOk());
    return std::move(d).value();
  }

  core::SimulatedClock clock_;
  core::DeterministicRandom random_{23};
  core::MemFileSystem fs_;
  core::Env env_{clock_, random_, fs_};
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(random_);
  BackupKeys keys_ = BackupKeys::Generate(random_);
  AdminKey admin_ = AdminKey::Generate(random_);
  std::string source_, repo_dir_;
  std::unique_ptr<Destination> dest_;
  std::vector<std::string> ids_;
  std::map<std::string, std::string> contents_;
};

// EMG-03: what the serving process and `backup create` hold can add but not
// remove: the type has no Remove, and PutNew never replaces an object.
TEST_F(PruneTest, TheServingProcessesDestinationCanAddButNotRemoveOrOverwrite) {
  DailySnapshots(2);
  EXPECT_EQ(dynamic_cast<PrunableDestination*>(dest_.get()), nullptr);
  std::map<std::string, std::string> before = Everything();
  for (const auto& [name, bytes] : before) {
    EXPECT_THAT(dest_->PutNew(name, "forged"), StatusIs(StatusCode::kAlreadyExists)) << name;
  }
  EXPECT_EQ(Everything(), before);
}

TEST_F(PruneTest, WithoutTheAdminKeyPruneRefusesAndChangesNothing) {
  DailySnapshots(4);
  std::map<std::string, std::string> before = Everything();
  auto dest = ForPrune();
  // The serving process's own keys are not the admin key.
  AdminKey not_admin{.key = keys_.signing.Clone()};
  EXPECT_THAT(
      Prune(*dest, not_admin, {.last = 1, .daily = 1, .weekly = 0, .monthly = 0}, false, env_),
      StatusIs(StatusCode::kPermissionDenied));
  AdminKey other = AdminKey::Generate(random_);
  EXPECT_THAT(Prune(*dest, other, {.last = 1, .daily = 1, .weekly = 0, .monthly = 0}, false, env_),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(Everything(), before);
}

TEST_F(PruneTest, ARepositoryWithoutAnAdminKeyCannotBePruned) {
  std::string dir = core::testing::MakeTempDir() + "/noadmin";
  auto dest = OpenDirectoryDestination(dir);
  ASSERT_THAT(dest, IsOk());
  ASSERT_THAT(InitRepository(**dest, keys_, kek_, env_), IsOk());
  auto prunable = OpenDirectoryDestinationForPrune(dir);
  ASSERT_THAT(prunable, IsOk());
  EXPECT_THAT(Prune(**prunable, admin_, {}, false, env_), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(PruneTest, WithTheAdminKeyPruneKeepsExactlyTheRetainedGenerationsAndTheirChunks) {
  DailySnapshots(10);
  RetentionPolicy policy{.last = 1, .daily = 3, .weekly = 0, .monthly = 0};
  auto dest = ForPrune();
  auto dry = Prune(*dest, admin_, policy, /*dry_run=*/true, env_);
  ASSERT_THAT(dry, IsOk());
  EXPECT_EQ(dry->removed.size(), 7u);
  EXPECT_EQ(
      Everything().size(), 1 + 10 + [&] {
        size_t n = 0;
        for (const auto& [name, _] : Everything()) n += name.starts_with("packs/");
        return n;
      }());  // a dry run removes nothing
  auto report = Prune(*dest, admin_, policy, /*dry_run=*/false, env_);
  ASSERT_THAT(report, IsOk());
  std::vector<std::string> expected_kept(ids_.end() - 3, ids_.end());
  EXPECT_EQ(report->kept, expected_kept);
  EXPECT_EQ(report->removed, std::vector<std::string>(ids_.begin(), ids_.end() - 3));
  EXPECT_GT(report->packs_removed, 0u);
  EXPECT_GE(report->chunks_removed, report->packs_removed);
  EXPECT_EQ(report->packs_removed, dry->packs_removed);

  auto listed = ListSnapshots(*dest_);
  ASSERT_THAT(listed, IsOk());
  std::vector<std::string> remaining;
  for (const SnapshotInfo& s : *listed) remaining.push_back(s.id);
  EXPECT_EQ(remaining, expected_kept);
  // The remaining packs are exactly those the kept snapshots reference.
  auto config = internal::ReadRepositoryConfig(*dest_);
  ASSERT_THAT(config, IsOk());
  std::set<std::string> referenced;
  for (const std::string& id : expected_kept) {
    auto bytes = dest_->Get("snapshots/" + id + ".manifest");
    ASSERT_THAT(bytes, IsOk());
    auto m = internal::ParseManifest(*bytes, config->public_key);
    ASSERT_THAT(m, IsOk());
    for (const auto& f : m->files) {
      for (const auto& c : f.chunks) referenced.insert(internal::PackObjectName(c.pack));
    }
  }
  auto packs = dest_->List("packs/");
  ASSERT_THAT(packs, IsOk());
  EXPECT_EQ(std::set<std::string>(packs->begin(), packs->end()), referenced);
  // Verify passes and every kept generation restores to what it was.
  auto verify = Verify(*dest_, std::nullopt);
  ASSERT_THAT(verify, IsOk());
  EXPECT_THAT(verify->problems, IsEmpty());
  for (const std::string& id : expected_kept) {
    std::string target = core::testing::MakeTempDir() + "/r";
    ASSERT_THAT(RestoreSnapshot(*dest_, keys_, id, target, env_), IsOk());
    EXPECT_EQ(ReadAll(target + "/mamori.db"), contents_[id]) << id;
  }
  // The prune left a record signed with the admin key.
  auto records = dest_->List("prunes/");
  ASSERT_THAT(records, IsOk());
  EXPECT_EQ(records->size(), 1u);
}

// A pack goes only when no kept snapshot uses any chunk in it; chunks that
// only pruned snapshots used but that share a pack with needed ones stay, and
// the report says how many bytes that keeps (repacking is not built yet).
TEST_F(PruneTest, APackAKeptSnapshotStillUsesStaysAndItsUnusedBytesAreReported) {
  WriteRandom(source_ + "/mamori.db", 2'000'000, 7);
  std::string first = ReadAll(source_ + "/mamori.db");
  auto a = CreateSnapshot(*dest_, keys_, {.files = {{"mamori.db", source_ + "/mamori.db"}}}, env_);
  ASSERT_THAT(a, IsOk());
  ASSERT_EQ(a->packs_new, 1u);
  clock_.Advance(std::chrono::hours(24));
  // The second half changes: its chunks in the first pack are no longer needed.
  std::string second = first;
  for (size_t i = second.size() / 2; i < second.size(); ++i) second[i] ^= 0x5a;
  WriteAll(source_ + "/mamori.db", second);
  auto b = CreateSnapshot(*dest_, keys_, {.files = {{"mamori.db", source_ + "/mamori.db"}}}, env_);
  ASSERT_THAT(b, IsOk());
  auto report = Prune(*ForPrune(), admin_, {.last = 1, .daily = 0, .weekly = 0, .monthly = 0},
                      /*dry_run=*/false, env_);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->removed, std::vector<std::string>{a->id});
  EXPECT_EQ(report->packs_removed, 0u);
  EXPECT_GT(report->chunks_kept_unreferenced, 0u);
  EXPECT_GT(report->bytes_kept_unreferenced, 800'000u);  // about half of the first pack
  EXPECT_LT(report->bytes_kept_unreferenced, 1'300'000u);
  auto packs = dest_->List("packs/");
  ASSERT_THAT(packs, IsOk());
  EXPECT_EQ(packs->size(), 2u);
  auto verify = Verify(*dest_, std::nullopt);
  ASSERT_THAT(verify, IsOk());
  EXPECT_THAT(verify->problems, IsEmpty());
  std::string target = core::testing::MakeTempDir() + "/r";
  ASSERT_THAT(RestoreSnapshot(*dest_, keys_, b->id, target, env_), IsOk());
  EXPECT_EQ(ReadAll(target + "/mamori.db"), second);
}

}  // namespace
}  // namespace mamori::backup

// SPDX-License-Identifier: Apache-2.0
// FaultInjectionFileSystem over MemFileSystem and over PosixFileSystem in a
// temporary directory: failed syncs, full disk, read-only disk and crashes.
// (That it forwards everything when no fault is set is part of the
// conformance suite in file_system_test.cc.)
#include "core/testing/fault_injection_file_system.h"

#include "core/testing/mem_file_system.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace mamori::core {
namespace {

using ::mamori::core::testing::IsOk;
using ::mamori::core::testing::IsOkAndHolds;
using ::mamori::core::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::StartsWith;

enum class Target { kMem, kPosix };
std::string TargetName(Target target) { return target == Target::kPosix ? "Posix" : "Mem"; }
void PrintTo(Target target, std::ostream* os) { *os << TargetName(target); }

class FaultInjectionFileSystemTest : public ::testing::TestWithParam<Target> {
 protected:
  FaultInjectionFileSystemTest()
      : target_(GetParam() == Target::kPosix ? FileSystem::Posix() : mem_), fs_(target_) {}

  void SetUp() override {
    root_ = GetParam() == Target::kPosix ? testing::MakeTempDir() : "/data";
    ASSERT_THAT(CreateDirs(target_, root_, 0700), IsOk());
  }

  std::string Path(std::string_view name) const { return JoinPath(root_, name); }

  // Opens `name` through the fault injector, appends `data` and, if asked, syncs.
  std::unique_ptr<WritableFile> OpenAndAppend(std::string_view name, std::string_view data,
                                              bool sync, bool append = false) {
    auto file =
        append ? fs_.NewAppendableFile(Path(name), 0600) : fs_.NewWritableFile(Path(name), 0600);
    EXPECT_THAT(file, IsOk());
    if (!file.ok()) return nullptr;
    EXPECT_THAT((*file)->Append(data), IsOk());
    if (sync) {
      EXPECT_THAT((*file)->Sync(), IsOk());
    }
    return std::move(file).value();
  }

  MemFileSystem mem_;
  FileSystem& target_;
  FaultInjectionFileSystem fs_;
  std::string root_;
};

INSTANTIATE_TEST_SUITE_P(OverMemAndPosix, FaultInjectionFileSystemTest,
                         ::testing::Values(Target::kMem, Target::kPosix),
                         [](const auto& info) { return TargetName(info.param); });

TEST_P(FaultInjectionFileSystemTest, WriteFileAtomicallyLeavesOldContentsWhenSyncFails) {
  ASSERT_THAT(WriteFileAtomically(fs_, Path("config"), "old", 0600), IsOk());
  fs_.FailNthSync(1);
  EXPECT_THAT(WriteFileAtomically(fs_, Path("config"), "new", 0600),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.ReadFile(Path("config")), IsOkAndHolds("old"));
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("config")), IsOkAndHolds("old"));
}

TEST_P(FaultInjectionFileSystemTest, WriteFileAtomicallyRemovesTemporaryFileWhenSyncFails) {
  fs_.FailNthSync(1);
  EXPECT_THAT(WriteFileAtomically(fs_, Path("config"), "new", 0600),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.ListDir(root_), IsOkAndHolds(ElementsAre()));
}

TEST_P(FaultInjectionFileSystemTest, WriteFileAtomicallyReportsFailedDirectorySync) {
  fs_.FailNthSync(2);  // The file's sync passes; the directory's fails.
  EXPECT_THAT(WriteFileAtomically(fs_, Path("config"), "new", 0600),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.ReadFile(Path("config")), IsOkAndHolds("new"));  // Visible, not durable.
}

TEST_P(FaultInjectionFileSystemTest, FailNthSyncFailsOnlyThatSync) {
  auto file = OpenAndAppend("log", "a", /*sync=*/false);
  fs_.FailNthSync(2);
  EXPECT_THAT(file->Sync(), IsOk());
  EXPECT_THAT(file->Sync(), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(file->Sync(), IsOk());
}

TEST_P(FaultInjectionFileSystemTest, FailNthSyncAndLaterFailsEverySyncUntilCleared) {
  auto file = OpenAndAppend("log", "a", /*sync=*/false);
  fs_.FailNthSync(1, /*and_later=*/true);
  EXPECT_THAT(file->Sync(), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(file->Sync(), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.SyncDir(root_), StatusIs(StatusCode::kUnavailable));
  fs_.ClearFaults();
  EXPECT_THAT(file->Sync(), IsOk());
}

TEST_P(FaultInjectionFileSystemTest, InjectedErrorsSayTheyWereInjected) {
  fs_.FailNthSync(1);
  EXPECT_THAT(fs_.SyncDir(root_).message(), StartsWith("fault injection: fsync " + root_));
}

TEST_P(FaultInjectionFileSystemTest, DropUnsyncedDataLosesOnlyUnsyncedAppends) {
  auto file = OpenAndAppend("log", "synced,", /*sync=*/true);
  ASSERT_THAT(file->Append("lost"), IsOk());
  ASSERT_THAT(file->Close(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds("synced,lost"));
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds("synced,"));
}

TEST_P(FaultInjectionFileSystemTest, DropUnsyncedDataEmptiesFileThatWasNeverSynced) {
  OpenAndAppend("log", "lost", /*sync=*/false);
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds(""));
}

TEST_P(FaultInjectionFileSystemTest, FailedSyncLeavesDataToBeDropped) {
  auto file = OpenAndAppend("log", "a", /*sync=*/false);
  fs_.FailNthSync(1);
  EXPECT_THAT(file->Sync(), StatusIs(StatusCode::kUnavailable));
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds(""));
}

TEST_P(FaultInjectionFileSystemTest, DropUnsyncedDataKeepsWhatAppendableFileHeldBefore) {
  ASSERT_THAT(WriteFileAtomically(target_, Path("log"), "before,", 0600), IsOk());
  OpenAndAppend("log", "lost", /*sync=*/false, /*append=*/true);
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds("before,"));
}

TEST_P(FaultInjectionFileSystemTest, DropUnsyncedDataRemembersUnsyncedTailAcrossReopen) {
  OpenAndAppend("log", "synced,", /*sync=*/true);
  OpenAndAppend("log", "unsynced,", /*sync=*/false, /*append=*/true);
  OpenAndAppend("log", "also lost", /*sync=*/false, /*append=*/true);
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds("synced,"));
}

TEST_P(FaultInjectionFileSystemTest, DropUnsyncedDataFollowsRename) {
  ASSERT_THAT(WriteFileAtomically(fs_, Path("kept"), "durable", 0600), IsOk());
  OpenAndAppend("tmp", "lost", /*sync=*/false);
  ASSERT_THAT(fs_.Rename(Path("tmp"), Path("renamed")), IsOk());
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("kept")), IsOkAndHolds("durable"));
  EXPECT_THAT(fs_.ReadFile(Path("renamed")), IsOkAndHolds(""));
}

TEST_P(FaultInjectionFileSystemTest, DropUnsyncedDataFollowsDirectoryRename) {
  ASSERT_THAT(fs_.CreateDir(Path("d"), 0700), IsOk());
  OpenAndAppend("d/f", "lost", /*sync=*/false);
  ASSERT_THAT(fs_.Rename(Path("d"), Path("e")), IsOk());
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("e/f")), IsOkAndHolds(""));
}

TEST_P(FaultInjectionFileSystemTest, DropUnsyncedDataIgnoresFilesNotWrittenThroughIt) {
  ASSERT_THAT(WriteFileAtomically(target_, Path("other"), "untouched", 0600), IsOk());
  OpenAndAppend("removed", "gone", /*sync=*/false);
  ASSERT_THAT(fs_.Remove(Path("removed")), IsOk());
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("other")), IsOkAndHolds("untouched"));
  EXPECT_THAT(fs_.Exists(Path("removed")), IsOkAndHolds(false));
}

TEST_P(FaultInjectionFileSystemTest, FileOpenAcrossDropUnsyncedDataFailsWithFailedPrecondition) {
  auto file = OpenAndAppend("log", "a", /*sync=*/true);
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_THAT(file->Append("b"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(file->Sync(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds("a"));
}

TEST_P(FaultInjectionFileSystemTest, FullDiskFailsAppendWithResourceExhausted) {
  auto file = OpenAndAppend("log", "a", /*sync=*/false);
  fs_.SetDiskFull();
  EXPECT_THAT(file->Append("b"), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds("a"));
}

TEST_P(FaultInjectionFileSystemTest, FullDiskFailsCreatingFilesAndDirectories) {
  fs_.SetDiskFull();
  EXPECT_THAT(fs_.NewWritableFile(Path("f"), 0600), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(fs_.NewAppendableFile(Path("f"), 0600), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(fs_.CreateDir(Path("d"), 0700), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(WriteFileAtomically(fs_, Path("f"), "x", 0600),
              StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(fs_.ListDir(root_), IsOkAndHolds(ElementsAre()));
}

TEST_P(FaultInjectionFileSystemTest, AppendCrossingFreeSpaceStoresOnlyWhatFits) {
  auto file = OpenAndAppend("log", "", /*sync=*/false);
  fs_.SetDiskFullAfter(5);
  EXPECT_THAT(file->Append("abc"), IsOk());
  EXPECT_THAT(file->Append("defg"), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(file->Append("h"), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds("abcde"));
}

TEST_P(FaultInjectionFileSystemTest, ClearFaultsMakesFullDiskWritableAgain) {
  fs_.SetDiskFull();
  fs_.ClearFaults();
  EXPECT_THAT(WriteFileAtomically(fs_, Path("f"), "x", 0600), IsOk());
}

TEST_P(FaultInjectionFileSystemTest, ReadOnlyDiskFailsEveryMutationWithUnavailable) {
  ASSERT_THAT(WriteFileAtomically(fs_, Path("f"), "x", 0600), IsOk());
  fs_.SetReadOnly(true);
  EXPECT_THAT(fs_.NewWritableFile(Path("g"), 0600), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.NewAppendableFile(Path("f"), 0600), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.CreateDir(Path("d"), 0700), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.Rename(Path("f"), Path("g")), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.Remove(Path("f")), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.Chmod(Path("f"), 0644), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.Lock(Path("LOCK")), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(WriteFileAtomically(fs_, Path("f"), "y", 0600), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_.ListDir(root_), IsOkAndHolds(ElementsAre("f")));
}

TEST_P(FaultInjectionFileSystemTest, ReadOnlyDiskStillServesReads) {
  ASSERT_THAT(WriteFileAtomically(fs_, Path("f"), "x", 0600), IsOk());
  fs_.SetReadOnly(true);
  EXPECT_THAT(fs_.ReadFile(Path("f")), IsOkAndHolds("x"));
  EXPECT_THAT(fs_.Exists(Path("f")), IsOkAndHolds(true));
  EXPECT_THAT(fs_.Stat(Path("f")), IsOk());
  EXPECT_THAT(fs_.SyncDir(root_), IsOk());
}

TEST_P(FaultInjectionFileSystemTest, ReadOnlyDiskFailsWritesToFilesOpenedBefore) {
  auto file = OpenAndAppend("log", "a", /*sync=*/false);
  fs_.SetReadOnly(true);
  EXPECT_THAT(file->Append("b"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(file->Sync(), StatusIs(StatusCode::kUnavailable));
  fs_.SetReadOnly(false);
  EXPECT_THAT(file->Append("c"), IsOk());
  EXPECT_THAT(fs_.ReadFile(Path("log")), IsOkAndHolds("ac"));
}

}  // namespace
}  // namespace mamori::core

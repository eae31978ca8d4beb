// SPDX-License-Identifier: Apache-2.0
// One conformance suite for every FileSystem: PosixFileSystem in a temporary
// directory, MemFileSystem, and FaultInjectionFileSystem (with no fault set)
// over each. Each must behave the same, down to the Status code. Then the
// path helpers, the errno map, and what only the POSIX implementation can show.
#include "core/file_system.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <sys/wait.h>

#include "core/testing/fault_injection_file_system.h"
#include "core/testing/mem_file_system.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace mamori::core {
namespace {

using ::mamori::core::testing::IsOk;
using ::mamori::core::testing::IsOkAndHolds;
using ::mamori::core::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

enum class Kind { kPosix, kMem, kFaultInjectionOverPosix, kFaultInjectionOverMem };

std::string KindName(Kind kind) {
  switch (kind) {
    case Kind::kPosix:
      return "Posix";
    case Kind::kMem:
      return "Mem";
    case Kind::kFaultInjectionOverPosix:
      return "FaultInjectionOverPosix";
    case Kind::kFaultInjectionOverMem:
      return "FaultInjectionOverMem";
  }
  return "Unknown";
}
void PrintTo(Kind kind, std::ostream* os) { *os << KindName(kind); }

auto HasMode(uint32_t mode) { return IsOkAndHolds(Field(&FileInfo::mode, mode)); }

class FileSystemConformanceTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    const bool posix = GetParam() == Kind::kPosix || GetParam() == Kind::kFaultInjectionOverPosix;
    FileSystem& base = posix ? FileSystem::Posix() : mem_;
    fs_ = &base;
    if (GetParam() == Kind::kFaultInjectionOverPosix ||
        GetParam() == Kind::kFaultInjectionOverMem) {
      fault_ = std::make_unique<FaultInjectionFileSystem>(base);
      fs_ = fault_.get();
    }
    root_ = posix ? testing::MakeTempDir() : "/tmp/conformance";
    ASSERT_THAT(CreateDirs(*fs_, root_, 0700), IsOk());
  }

  std::string Path(std::string_view name) const { return JoinPath(root_, name); }

  void Write(const std::string& path, std::string_view data, uint32_t mode = 0600) {
    auto file = fs_->NewWritableFile(path, mode);
    ASSERT_THAT(file, IsOk());
    ASSERT_THAT((*file)->Append(data), IsOk());
    ASSERT_THAT((*file)->Close(), IsOk());
  }

  MemFileSystem mem_;
  std::unique_ptr<FaultInjectionFileSystem> fault_;
  FileSystem* fs_ = nullptr;
  std::string root_;
};

INSTANTIATE_TEST_SUITE_P(AllFileSystems, FileSystemConformanceTest,
                         ::testing::Values(Kind::kPosix, Kind::kMem, Kind::kFaultInjectionOverPosix,
                                           Kind::kFaultInjectionOverMem),
                         [](const auto& info) { return KindName(info.param); });

TEST_P(FileSystemConformanceTest, ReadFileReturnsEveryAppendInOrder) {
  auto file = fs_->NewWritableFile(Path("f"), 0600);
  ASSERT_THAT(file, IsOk());
  EXPECT_THAT((*file)->Append("one,"), IsOk());
  EXPECT_THAT((*file)->Append(""), IsOk());
  EXPECT_THAT((*file)->Append("two"), IsOk());
  EXPECT_THAT((*file)->Sync(), IsOk());
  EXPECT_THAT((*file)->Close(), IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("f")), IsOkAndHolds("one,two"));
}

TEST_P(FileSystemConformanceTest, ReadFileReturnsLargeBinaryFileIntact) {
  std::string data(3 * 1024 * 1024 + 7, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 256);
  Write(Path("big"), data);
  EXPECT_THAT(fs_->ReadFile(Path("big")), IsOkAndHolds(data));
}

TEST_P(FileSystemConformanceTest, NewWritableFileCreatesFileWithRequestedMode) {
  Write(Path("f"), "abc", 0600);
  EXPECT_THAT(fs_->Stat(Path("f")),
              IsOkAndHolds(AllOf(Field(&FileInfo::size, 3u), Field(&FileInfo::mode, 0600u),
                                 Field(&FileInfo::is_directory, false))));
}

TEST_P(FileSystemConformanceTest, NewWritableFileTruncatesExistingFileAndKeepsItsMode) {
  Write(Path("f"), "long old contents", 0600);
  Write(Path("f"), "new", 0700);
  EXPECT_THAT(fs_->ReadFile(Path("f")), IsOkAndHolds("new"));
  EXPECT_THAT(fs_->Stat(Path("f")), HasMode(0600));  // O_CREAT's mode is for new files.
}

TEST_P(FileSystemConformanceTest, NewAppendableFileAppendsToExistingFile) {
  Write(Path("f"), "old,");
  auto file = fs_->NewAppendableFile(Path("f"), 0600);
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT((*file)->Append("new"), IsOk());
  ASSERT_THAT((*file)->Close(), IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("f")), IsOkAndHolds("old,new"));
}

TEST_P(FileSystemConformanceTest, NewAppendableFileCreatesMissingFileWithMode) {
  auto file = fs_->NewAppendableFile(Path("f"), 0600);
  ASSERT_THAT(file, IsOk());
  EXPECT_THAT(fs_->Stat(Path("f")), HasMode(0600));
  EXPECT_THAT(fs_->ReadFile(Path("f")), IsOkAndHolds(""));
}

TEST_P(FileSystemConformanceTest, OpeningFileInMissingDirectoryFailsWithNotFound) {
  EXPECT_THAT(fs_->NewWritableFile(Path("missing/f"), 0600), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(fs_->NewAppendableFile(Path("missing/f"), 0600), StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, OpeningDirectoryForWritingFailsWithFailedPrecondition) {
  EXPECT_THAT(fs_->NewWritableFile(root_, 0600), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(fs_->NewAppendableFile(root_, 0600), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(FileSystemConformanceTest, OpeningFileBelowRegularFileFailsWithFailedPrecondition) {
  Write(Path("file"), "x");
  EXPECT_THAT(fs_->NewWritableFile(Path("file/f"), 0600),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(fs_->ReadFile(Path("file/f")), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(FileSystemConformanceTest, ReadFileOfMissingFileFailsWithNotFound) {
  EXPECT_THAT(fs_->ReadFile(Path("missing")), StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, ReadFileOfDirectoryFailsWithFailedPrecondition) {
  EXPECT_THAT(fs_->ReadFile(root_), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(FileSystemConformanceTest, WritableFileFailsEveryCallAfterClose) {
  auto file = fs_->NewWritableFile(Path("f"), 0600);
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT((*file)->Close(), IsOk());
  EXPECT_THAT((*file)->Append("x"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT((*file)->Sync(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT((*file)->Close(), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(FileSystemConformanceTest, DestroyingWritableFileWithoutCloseKeepsAppendedData) {
  {
    auto file = fs_->NewWritableFile(Path("f"), 0600);
    ASSERT_THAT(file, IsOk());
    ASSERT_THAT((*file)->Append("kept"), IsOk());
  }
  EXPECT_THAT(fs_->ReadFile(Path("f")), IsOkAndHolds("kept"));
}

TEST_P(FileSystemConformanceTest, WritableFileKeepsWritingToItsFileAfterRename) {
  auto file = fs_->NewWritableFile(Path("old"), 0600);
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT((*file)->Append("a"), IsOk());
  ASSERT_THAT(fs_->Rename(Path("old"), Path("new")), IsOk());
  ASSERT_THAT((*file)->Append("b"), IsOk());
  ASSERT_THAT((*file)->Close(), IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("new")), IsOkAndHolds("ab"));
  EXPECT_THAT(fs_->Exists(Path("old")), IsOkAndHolds(false));
}

TEST_P(FileSystemConformanceTest, StatReportsDirectoryWithZeroSize) {
  ASSERT_THAT(fs_->CreateDir(Path("d"), 0700), IsOk());
  EXPECT_THAT(fs_->Stat(Path("d")),
              IsOkAndHolds(AllOf(Field(&FileInfo::size, 0u), Field(&FileInfo::mode, 0700u),
                                 Field(&FileInfo::is_directory, true))));
}

TEST_P(FileSystemConformanceTest, StatOfMissingPathFailsWithNotFound) {
  EXPECT_THAT(fs_->Stat(Path("missing")), StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, ExistsIsTrueForFileAndDirectory) {
  Write(Path("f"), "");
  EXPECT_THAT(fs_->Exists(Path("f")), IsOkAndHolds(true));
  EXPECT_THAT(fs_->Exists(root_), IsOkAndHolds(true));
}

TEST_P(FileSystemConformanceTest, ExistsIsFalseForMissingPathAndBelowRegularFile) {
  Write(Path("f"), "");
  EXPECT_THAT(fs_->Exists(Path("missing")), IsOkAndHolds(false));
  EXPECT_THAT(fs_->Exists(Path("missing/deeper")), IsOkAndHolds(false));
  EXPECT_THAT(fs_->Exists(Path("f/below")), IsOkAndHolds(false));
}

TEST_P(FileSystemConformanceTest, ListDirReturnsSortedNamesWithoutDotEntries) {
  Write(Path("b"), "");
  Write(Path("a.txt"), "");
  ASSERT_THAT(fs_->CreateDir(Path("c"), 0700), IsOk());
  Write(Path("c/nested"), "");
  Write(Path(".hidden"), "");
  EXPECT_THAT(fs_->ListDir(root_), IsOkAndHolds(ElementsAre(".hidden", "a.txt", "b", "c")));
}

TEST_P(FileSystemConformanceTest, ListDirOfEmptyDirectoryIsEmpty) {
  EXPECT_THAT(fs_->ListDir(root_), IsOkAndHolds(IsEmpty()));
}

TEST_P(FileSystemConformanceTest, ListDirOfMissingDirectoryFailsWithNotFound) {
  EXPECT_THAT(fs_->ListDir(Path("missing")), StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, ListDirOfRegularFileFailsWithFailedPrecondition) {
  Write(Path("f"), "");
  EXPECT_THAT(fs_->ListDir(Path("f")), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(FileSystemConformanceTest, CreateDirOnExistingPathFailsWithAlreadyExists) {
  Write(Path("f"), "");
  EXPECT_THAT(fs_->CreateDir(root_, 0700), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(fs_->CreateDir(Path("f"), 0700), StatusIs(StatusCode::kAlreadyExists));
}

TEST_P(FileSystemConformanceTest, CreateDirWithMissingParentFailsWithNotFound) {
  EXPECT_THAT(fs_->CreateDir(Path("missing/d"), 0700), StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, RenameMovesFileToNewName) {
  Write(Path("from"), "data");
  ASSERT_THAT(fs_->Rename(Path("from"), Path("to")), IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("to")), IsOkAndHolds("data"));
  EXPECT_THAT(fs_->Exists(Path("from")), IsOkAndHolds(false));
}

TEST_P(FileSystemConformanceTest, RenameReplacesExistingFileAtomically) {
  Write(Path("from"), "new", 0600);
  Write(Path("to"), "old", 0700);
  ASSERT_THAT(fs_->Rename(Path("from"), Path("to")), IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("to")), IsOkAndHolds("new"));
  EXPECT_THAT(fs_->Stat(Path("to")), HasMode(0600));
  EXPECT_THAT(fs_->ListDir(root_), IsOkAndHolds(ElementsAre("to")));
}

TEST_P(FileSystemConformanceTest, RenameOfFileOntoItselfChangesNothing) {
  Write(Path("f"), "data");
  EXPECT_THAT(fs_->Rename(Path("f"), Path("f")), IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("f")), IsOkAndHolds("data"));
}

TEST_P(FileSystemConformanceTest, RenameOfMissingFileFailsWithNotFound) {
  EXPECT_THAT(fs_->Rename(Path("missing"), Path("to")), StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, RenameBetweenFileAndDirectoryFailsWithFailedPrecondition) {
  Write(Path("f"), "");
  ASSERT_THAT(fs_->CreateDir(Path("d"), 0700), IsOk());
  EXPECT_THAT(fs_->Rename(Path("f"), Path("d")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(fs_->Rename(Path("d"), Path("f")), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(FileSystemConformanceTest, RenameOntoNonEmptyDirectoryFailsWithFailedPrecondition) {
  ASSERT_THAT(fs_->CreateDir(Path("a"), 0700), IsOk());
  ASSERT_THAT(fs_->CreateDir(Path("b"), 0700), IsOk());
  Write(Path("b/f"), "");
  EXPECT_THAT(fs_->Rename(Path("a"), Path("b")), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(FileSystemConformanceTest, RenameDirectoryMovesItsContents) {
  ASSERT_THAT(CreateDirs(*fs_, Path("a/sub"), 0700), IsOk());
  Write(Path("a/sub/f"), "deep");
  ASSERT_THAT(fs_->CreateDir(Path("b"), 0700), IsOk());  // Empty: may be replaced.
  ASSERT_THAT(fs_->Rename(Path("a"), Path("b")), IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("b/sub/f")), IsOkAndHolds("deep"));
  EXPECT_THAT(fs_->ListDir(root_), IsOkAndHolds(ElementsAre("b")));
}

TEST_P(FileSystemConformanceTest, SyncDirSucceedsOnDirectory) {
  EXPECT_THAT(fs_->SyncDir(root_), IsOk());
}

TEST_P(FileSystemConformanceTest, SyncDirFailsOnMissingPathOrRegularFile) {
  Write(Path("f"), "");
  EXPECT_THAT(fs_->SyncDir(Path("missing")), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(fs_->SyncDir(Path("f")), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(FileSystemConformanceTest, RemoveDeletesFileAndEmptyDirectory) {
  Write(Path("f"), "");
  ASSERT_THAT(fs_->CreateDir(Path("d"), 0700), IsOk());
  EXPECT_THAT(fs_->Remove(Path("f")), IsOk());
  EXPECT_THAT(fs_->Remove(Path("d")), IsOk());
  EXPECT_THAT(fs_->ListDir(root_), IsOkAndHolds(IsEmpty()));
}

TEST_P(FileSystemConformanceTest, RemoveOfNonEmptyDirectoryFailsWithFailedPrecondition) {
  ASSERT_THAT(fs_->CreateDir(Path("d"), 0700), IsOk());
  Write(Path("d/f"), "");
  EXPECT_THAT(fs_->Remove(Path("d")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(fs_->Exists(Path("d/f")), IsOkAndHolds(true));
}

TEST_P(FileSystemConformanceTest, RemoveOfMissingPathFailsWithNotFound) {
  EXPECT_THAT(fs_->Remove(Path("missing")), StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, ChmodChangesPermissionBits) {
  Write(Path("f"), "", 0600);
  ASSERT_THAT(fs_->Chmod(Path("f"), 0640), IsOk());
  EXPECT_THAT(fs_->Stat(Path("f")), HasMode(0640));
  EXPECT_THAT(fs_->Chmod(Path("missing"), 0600), StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, LockCreatesMissingLockFile) {
  auto lock = fs_->Lock(Path("LOCK"));
  ASSERT_THAT(lock, IsOk());
  EXPECT_THAT(fs_->Stat(Path("LOCK")), IsOkAndHolds(Field(&FileInfo::is_directory, false)));
}

TEST_P(FileSystemConformanceTest, SecondLockOnSameFileFailsWithUnavailable) {
  auto first = fs_->Lock(Path("LOCK"));
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(fs_->Lock(Path("LOCK")), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fs_->Lock(Path("./LOCK")), StatusIs(StatusCode::kUnavailable));
}

TEST_P(FileSystemConformanceTest, LockCanBeRetakenAfterRelease) {
  { ASSERT_THAT(fs_->Lock(Path("LOCK")), IsOk()); }
  EXPECT_THAT(fs_->Lock(Path("LOCK")), IsOk());
}

TEST_P(FileSystemConformanceTest, LocksOnDifferentFilesAreIndependent) {
  auto a = fs_->Lock(Path("a.lock"));
  auto b = fs_->Lock(Path("b.lock"));
  EXPECT_THAT(a, IsOk());
  EXPECT_THAT(b, IsOk());
}

TEST_P(FileSystemConformanceTest, LockLeavesExistingContentsAlone) {
  Write(Path("LOCK"), "pid 42");
  auto lock = fs_->Lock(Path("LOCK"));
  ASSERT_THAT(lock, IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("LOCK")), IsOkAndHolds("pid 42"));
}

TEST_P(FileSystemConformanceTest, LockOnDirectoryOrMissingParentFails) {
  EXPECT_THAT(fs_->Lock(root_), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(fs_->Lock(Path("missing/LOCK")), StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, WriteFileAtomicallyCreatesFileWithMode) {
  ASSERT_THAT(WriteFileAtomically(*fs_, Path("key"), "secret", 0600), IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("key")), IsOkAndHolds("secret"));
  EXPECT_THAT(fs_->Stat(Path("key")), HasMode(0600));
}

TEST_P(FileSystemConformanceTest, WriteFileAtomicallyReplacesContentsAndMode) {
  Write(Path("key"), "a much longer old value", 0640);
  ASSERT_THAT(WriteFileAtomically(*fs_, Path("key"), "new", 0600), IsOk());
  EXPECT_THAT(fs_->ReadFile(Path("key")), IsOkAndHolds("new"));
  EXPECT_THAT(fs_->Stat(Path("key")), HasMode(0600));
}

TEST_P(FileSystemConformanceTest, WriteFileAtomicallyLeavesNoTemporaryFile) {
  ASSERT_THAT(WriteFileAtomically(*fs_, Path("f"), "one", 0600), IsOk());
  ASSERT_THAT(WriteFileAtomically(*fs_, Path("f"), "two", 0600), IsOk());
  EXPECT_THAT(fs_->ListDir(root_), IsOkAndHolds(ElementsAre("f")));
}

TEST_P(FileSystemConformanceTest, WriteFileAtomicallyInMissingDirectoryFailsWithNotFound) {
  EXPECT_THAT(WriteFileAtomically(*fs_, Path("missing/f"), "x", 0600),
              StatusIs(StatusCode::kNotFound));
}

TEST_P(FileSystemConformanceTest, ConcurrentWriteFileAtomicallyNeverMixesContents) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string data(64 * 1024, static_cast<char>('a' + t));
      for (int i = 0; i < kRounds; ++i) {
        EXPECT_THAT(WriteFileAtomically(*fs_, Path("shared"), data, 0600), IsOk());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  auto contents = fs_->ReadFile(Path("shared"));
  ASSERT_THAT(contents, IsOk());
  ASSERT_EQ(contents->size(), 64u * 1024);
  EXPECT_EQ(contents->find_first_not_of(contents->front()), std::string::npos);
  EXPECT_THAT(fs_->ListDir(root_), IsOkAndHolds(ElementsAre("shared")));
}

TEST_P(FileSystemConformanceTest, CreateDirsCreatesMissingParentsWithMode) {
  ASSERT_THAT(CreateDirs(*fs_, Path("a/b/c"), 0700), IsOk());
  EXPECT_THAT(fs_->Stat(Path("a/b/c")), IsOkAndHolds(Field(&FileInfo::is_directory, true)));
  EXPECT_THAT(fs_->Stat(Path("a")), HasMode(0700));
}

TEST_P(FileSystemConformanceTest, CreateDirsSucceedsWhenDirectoryExists) {
  ASSERT_THAT(CreateDirs(*fs_, Path("a"), 0700), IsOk());
  EXPECT_THAT(CreateDirs(*fs_, Path("a/"), 0700), IsOk());
  EXPECT_THAT(CreateDirs(*fs_, root_, 0700), IsOk());
}

TEST_P(FileSystemConformanceTest, CreateDirsFailsWithFailedPreconditionWhenFileIsInTheWay) {
  Write(Path("f"), "");
  EXPECT_THAT(CreateDirs(*fs_, Path("f"), 0700), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(CreateDirs(*fs_, Path("f/d"), 0700), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(FileSystemConformanceTest, ErrorMessagesNameThePathButNeverTheContents) {
  const std::string canary = "CANARY-Jane-Doe-1970-01-01";
  Write(Path("record"), canary);
  const Status errors[] = {
      fs_->CreateDir(Path("record"), 0700),
      fs_->ListDir(Path("record")).status(),
      fs_->NewWritableFile(Path("record/x"), 0600).status(),
      WriteFileAtomically(*fs_, Path("record/x"), canary, 0600),
  };
  for (const Status& s : errors) {
    EXPECT_THAT(s.message(), AllOf(HasSubstr(Path("record")), Not(HasSubstr(canary))));
  }
}

TEST_P(FileSystemConformanceTest, ConcurrentWritersToDistinctFilesAllLand) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto file = fs_->NewAppendableFile(Path("f" + std::to_string(t)), 0600);
      ASSERT_THAT(file, IsOk());
      for (int i = 0; i < 100; ++i) EXPECT_THAT((*file)->Append("0123456789"), IsOk());
      EXPECT_THAT((*file)->Close(), IsOk());
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_THAT(fs_->Stat(Path("f" + std::to_string(t))),
                IsOkAndHolds(Field(&FileInfo::size, 1000u)));
  }
}

TEST(PathTest, DirNameReturnsTheParentDirectory) {
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("c"), ".");
  EXPECT_EQ(DirName(""), ".");
  EXPECT_EQ(DirName("/c"), "/");
  EXPECT_EQ(DirName("/"), "/");
  EXPECT_EQ(DirName("a/b/"), "a");
  EXPECT_EQ(DirName("a//b"), "a");
}

TEST(PathTest, JoinPathUsesExactlyOneSlash) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("a//", "//b"), "a/b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a");
}

TEST(PathTest, CleanPathRemovesDotsAndRepeatedSlashes) {
  EXPECT_EQ(CleanPath("a//b/./c/"), "a/b/c");
  EXPECT_EQ(CleanPath("/a/b/../c"), "/a/c");
  EXPECT_EQ(CleanPath("/../a"), "/a");
  EXPECT_EQ(CleanPath("../a/.."), "..");
  EXPECT_EQ(CleanPath("a/.."), ".");
  EXPECT_EQ(CleanPath(""), ".");
  EXPECT_EQ(CleanPath("//"), "/");
}

TEST(PosixErrorToStatusTest, MapsEachDocumentedErrnoToItsCode) {
  const std::pair<int, StatusCode> table[] = {
      {ENOENT, StatusCode::kNotFound},
      {EEXIST, StatusCode::kAlreadyExists},
      {EACCES, StatusCode::kPermissionDenied},
      {EPERM, StatusCode::kPermissionDenied},
      {ENOSPC, StatusCode::kResourceExhausted},
      {EDQUOT, StatusCode::kResourceExhausted},
      {ENOTDIR, StatusCode::kFailedPrecondition},
      {ENOTEMPTY, StatusCode::kFailedPrecondition},
      {EISDIR, StatusCode::kFailedPrecondition},
      {EROFS, StatusCode::kUnavailable},
      {EIO, StatusCode::kUnavailable},
      {EMFILE, StatusCode::kUnavailable},
  };
  for (const auto& [error_number, code] : table) {
    EXPECT_THAT(PosixErrorToStatus(error_number, "open", "/p"), StatusIs(code))
        << "errno " << error_number;
  }
}

TEST(PosixErrorToStatusTest, MessageNamesOperationPathAndReason) {
  EXPECT_EQ(PosixErrorToStatus(ENOENT, "open", "/keys/kek").message(),
            "open /keys/kek: No such file or directory");
}

TEST(PosixFileSystemTest, PosixReturnsOneInstance) {
  EXPECT_EQ(&FileSystem::Posix(), &FileSystem::Posix());
}

TEST(PosixFileSystemTest, AppendToFullDeviceFailsWithResourceExhausted) {
  FileSystem& fs = FileSystem::Posix();
  if (!fs.Exists("/dev/full").value_or(false)) GTEST_SKIP() << "no /dev/full";
  auto file = fs.NewAppendableFile("/dev/full", 0600);
  ASSERT_THAT(file, IsOk());
  EXPECT_THAT((*file)->Append("x"), StatusIs(StatusCode::kResourceExhausted));
}

// Root reads every file, so as root the check runs in a child process that
// has dropped to uid/gid 65534 (nobody); a skip would fail CI (CI=true).
void ExpectUnreadableAsCurrentUser(const std::string& path) {
  Result<std::string> read = FileSystem::Posix().ReadFile(path);
  std::exit(read.status().code() == StatusCode::kPermissionDenied ? 0 : 1);
}

TEST(PosixFileSystemTest, ReadingUnreadableFileFailsWithPermissionDenied) {
  FileSystem& fs = FileSystem::Posix();
  const std::string dir = testing::MakeTempDir();
  ASSERT_THAT(fs.Chmod(dir, 0755), IsOk());  // let the unprivileged child reach the file
  const std::string path = JoinPath(dir, "secret");
  ASSERT_THAT(WriteFileAtomically(fs, path, "x", 0000), IsOk());
  if (::geteuid() != 0) {
    EXPECT_THAT(fs.ReadFile(path), StatusIs(StatusCode::kPermissionDenied));
    return;
  }
  EXPECT_EXIT(
      {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) std::exit(2);
        ExpectUnreadableAsCurrentUser(path);
      },
      ::testing::ExitedWithCode(0), "");
}

// Returns how many of our descriptors point at `path`, and fails the test for
// any of them without FD_CLOEXEC.
int CountCloseOnExecDescriptors(const std::string& path) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(entry.path(), ec) != path) continue;
    const int fd = std::stoi(entry.path().filename().string());
    EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0) << path;
    ++count;
  }
  return count;
}

TEST(PosixFileSystemTest, OpensEveryDescriptorCloseOnExec) {
  if (!std::filesystem::exists("/proc/self/fd")) GTEST_SKIP() << "no /proc";
  FileSystem& fs = FileSystem::Posix();
  const std::string dir = std::filesystem::canonical(testing::MakeTempDir()).string();
  auto writable = fs.NewWritableFile(JoinPath(dir, "w"), 0600);
  auto appendable = fs.NewAppendableFile(JoinPath(dir, "a"), 0600);
  auto lock = fs.Lock(JoinPath(dir, "LOCK"));
  ASSERT_THAT(writable, IsOk());
  ASSERT_THAT(appendable, IsOk());
  ASSERT_THAT(lock, IsOk());
  EXPECT_EQ(CountCloseOnExecDescriptors(JoinPath(dir, "w")), 1);
  EXPECT_EQ(CountCloseOnExecDescriptors(JoinPath(dir, "a")), 1);
  EXPECT_EQ(CountCloseOnExecDescriptors(JoinPath(dir, "LOCK")), 1);
}

TEST(PosixFileSystemTest, LockHeldByThisProcessIsUnavailableToAnotherProcess) {
  FileSystem& fs = FileSystem::Posix();
  const std::string path = JoinPath(testing::MakeTempDir(), "LOCK");
  auto lock = fs.Lock(path);
  ASSERT_THAT(lock, IsOk());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<FileLock>> theirs = FileSystem::Posix().Lock(path);
    ::_exit(!theirs.ok() && theirs.status().code() == StatusCode::kUnavailable ? 0 : 1);
  }
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 0) << "the child process got the lock";
}

TEST(MemFileSystemTest, RelativePathsStartAtTheRoot) {
  MemFileSystem fs;
  ASSERT_THAT(fs.CreateDir("a", 0700), IsOk());
  ASSERT_THAT(WriteFileAtomically(fs, "a/f", "x", 0600), IsOk());
  EXPECT_THAT(fs.ReadFile("/a/f"), IsOkAndHolds("x"));
  EXPECT_THAT(fs.ListDir("/"), IsOkAndHolds(ElementsAre("a")));
}

TEST(MemFileSystemTest, ModesAreStoredWithoutUmask) {
  MemFileSystem fs;
  ASSERT_THAT(WriteFileAtomically(fs, "/f", "x", 0666), IsOk());
  EXPECT_THAT(fs.Stat("/f"), HasMode(0666));
}

}  // namespace
}  // namespace mamori::core

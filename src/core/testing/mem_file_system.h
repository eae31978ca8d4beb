// SPDX-License-Identifier: Apache-2.0
#pragma once

// MemFileSystem: a core::FileSystem held entirely in memory, for tests
// (STYLE.md rules 15 and 17). It behaves like PosixFileSystem, down to the
// Status codes, which it derives from the errno POSIX would set (through
// core::PosixErrorToStatus); core/file_system_test.cc runs one conformance
// suite over both.
//
// Model:
//   - One tree rooted at "/", which always exists. Paths are cleaned lexically
//     (core::CleanPath) and relative paths start at "/": "a/b" is "/a/b".
//   - Files and directories are inodes. An open WritableFile keeps writing to
//     its inode after a Rename or Remove, as a POSIX descriptor does.
//   - Modes are stored as given (no umask) and reported by Stat, but not
//     enforced: every caller is treated as root. Wrap it in a FileSystemWrapper
//     to make one call fail with kPermissionDenied.
//   - Sync and SyncDir succeed and do nothing: nothing is ever lost. To lose
//     unsynced data, wrap it in a FaultInjectionFileSystem.
//   - Lock is exclusive per FileLock, like flock(2): a second Lock on the same
//     file fails with kUnavailable until the first FileLock is destroyed.
//
// Owns all its contents. The WritableFiles and FileLocks it returns point back
// to it and must be destroyed before it.
// Thread-safety: every method may be called from any thread (one mutex); a
// WritableFile belongs to one thread, as with every FileSystem.
//
//   core::MemFileSystem fs;
//   ASSERT_THAT(core::CreateDirs(fs, "/data/keys", 0700), IsOk());
//   ASSERT_THAT(core::WriteFileAtomically(fs, "/data/keys/kek", bytes, 0600), IsOk());
//   EXPECT_THAT(fs.ReadFile("/data/keys/kek"), IsOkAndHolds(bytes));
//   core::Env env(clock, random, fs);  // hand it to the code under test

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/check.h"
#include "core/file_system.h"

namespace mamori::core {

class MemFileSystem final : public FileSystem {
 public:
  // An empty file system: only "/" exists, with mode 0755.
  MemFileSystem();
  ~MemFileSystem() override;

  MemFileSystem(const MemFileSystem&) = delete;
  MemFileSystem& operator=(const MemFileSystem&) = delete;

  // The FileSystem contract (core/file_system.h), with POSIX's error codes.
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        uint32_t mode) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path,
                                                          uint32_t mode) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<bool> Exists(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDir(const std::string& dir, uint32_t mode) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override;
  Status Remove(const std::string& path) override;
  Status Chmod(const std::string& path, uint32_t mode) override;
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path) override;

 private:
  struct Inode {
    bool is_directory = false;
    uint32_t mode = 0;
    std::string data;  // Empty for a directory.
  };
  using InodePtr = std::shared_ptr<Inode>;
  class MemWritableFile;
  class MemFileLock;

  // The key of `path` in nodes_: cleaned and absolute. "" stays "" (never found).
  static std::string Key(std::string_view path);

  // Sets *out to the inode at `key`; returns 0, ENOENT, or ENOTDIR when an
  // ancestor is a regular file.
  int FindLocked(const std::string& key, InodePtr* out) const MAMORI_REQUIRES(mu_);
  // 0 when the parent of `key` is an existing directory, otherwise its errno.
  int CheckParentLocked(const std::string& key) const MAMORI_REQUIRES(mu_);
  bool HasChildrenLocked(const std::string& key) const MAMORI_REQUIRES(mu_);
  // Moves the entries below directory `from` to below `to`.
  void MoveChildrenLocked(const std::string& from, const std::string& to) MAMORI_REQUIRES(mu_);
  Result<std::unique_ptr<WritableFile>> OpenFile(const std::string& path, uint32_t mode,
                                                 bool truncate) MAMORI_EXCLUDES(mu_);

  mutable std::mutex mu_;
  // Every path that exists, by Key(); "/" always.
  std::map<std::string, InodePtr> nodes_ MAMORI_GUARDED_BY(mu_);
  // Inodes on which a MemFileLock is alive.
  std::set<const Inode*> locked_ MAMORI_GUARDED_BY(mu_);
};

}  // namespace mamori::core

// SPDX-License-Identifier: Apache-2.0
#pragma once

// FaultInjectionFileSystem: a FileSystemWrapper that makes the file system fail
// the way disks do, for the fail-closed tests of STYLE.md rules 15 and 30. It
// follows leveldb's db/fault_injection_test.cc. Four faults:
//   - a failed fsync:   FailNthSync(n) fails the nth sync from now (EIO), and
//                       optionally every later one;
//   - a full disk:      SetDiskFullAfter(bytes) / SetDiskFull() (ENOSPC);
//   - a read-only disk: SetReadOnly(true) (EROFS, as after an ext4
//                       errors=remount-ro);
//   - a crash:          DropUnsyncedData() cuts every file written through it
//                       back to the length it had at its last successful Sync.
// Errors carry the codes core::PosixErrorToStatus gives for those errno values
// (kUnavailable, kResourceExhausted, kUnavailable) and messages starting with
// "fault injection: ". Without a fault set it forwards every call unchanged.
//
// It works over any FileSystem (MemFileSystem or FileSystem::Posix()), which it
// borrows and which must outlive it. The WritableFiles and FileLocks it returns
// must be destroyed before it.
// Thread-safety: every method, including the fault setters, may be called from
// any thread; a WritableFile belongs to one thread.
//
//   core::MemFileSystem mem;            // or core::FileSystem::Posix() in a temp dir
//   core::FaultInjectionFileSystem fs(mem);
//   fs.FailNthSync(1);
//   EXPECT_THAT(core::WriteFileAtomically(fs, "/d/f", "new", 0600),
//               StatusIs(core::StatusCode::kUnavailable));
//   EXPECT_THAT(fs.ReadFile("/d/f"), IsOkAndHolds("old"));
//   ...
//   ASSERT_THAT(fs.DropUnsyncedData(), IsOk());  // the machine lost power

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/check.h"
#include "core/file_system.h"

namespace mamori::core {

class FaultInjectionFileSystem final : public FileSystemWrapper {
 public:
  explicit FaultInjectionFileSystem(FileSystem& target);
  ~FaultInjectionFileSystem() override;

  FaultInjectionFileSystem(const FaultInjectionFileSystem&) = delete;
  FaultInjectionFileSystem& operator=(const FaultInjectionFileSystem&) = delete;

  // Makes the `n`th sync from now fail with kUnavailable (EIO); n = 1 is the
  // next one. With `and_later`, every sync after it fails too, until
  // ClearFaults(). Each WritableFile::Sync and each SyncDir counts as one sync.
  // The failed sync does not reach the target, so the data stays unsynced and
  // DropUnsyncedData() drops it. Replaces an earlier FailNthSync.
  // REQUIRES: n >= 1.
  void FailNthSync(int n, bool and_later = false);

  // The disk fills after `bytes` more bytes have been appended through this
  // file system: the Append that crosses the limit stores the bytes that fit
  // (a short write) and fails with kResourceExhausted (ENOSPC), as does every
  // later Append. Once no space is left, NewWritableFile, NewAppendableFile
  // and CreateDir fail with kResourceExhausted too. Until ClearFaults().
  void SetDiskFullAfter(uint64_t bytes);
  // The disk is full from now on: SetDiskFullAfter(0).
  void SetDiskFull();

  // While `read_only`, every mutating call fails with kUnavailable (EROFS):
  // NewWritableFile, NewAppendableFile, CreateDir, Rename, Remove, Chmod, Lock,
  // and Append and Sync on files opened earlier. Reads, Stat, ListDir, Close
  // and SyncDir still work.
  void SetReadOnly(bool read_only);

  // Clears every fault set above. Synced lengths are still tracked.
  void ClearFaults();

  // Simulates a crash: every file written through this file system since it
  // was created is cut back to its length at its last successful Sync (0 if it
  // was never synced; a file opened with NewAppendableFile keeps what it held
  // when first opened). Rename and Remove are followed. Directory entries are
  // durable at once: a file created but never synced remains, empty.
  // WritableFiles opened before the call fail with kFailedPrecondition
  // afterwards, as their process would be gone. Faults stay set; the rewrite
  // goes straight to the target.
  // Returns the target's error if a file cannot be read or rewritten.
  Status DropUnsyncedData();

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        uint32_t mode) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path,
                                                          uint32_t mode) override;
  Status CreateDir(const std::string& dir, uint32_t mode) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override;
  Status Remove(const std::string& path) override;
  Status Chmod(const std::string& path, uint32_t mode) override;
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path) override;

 private:
  // What DropUnsyncedData needs to know about one file written through us.
  struct FileState {
    uint64_t synced_size = 0;
  };
  class FaultInjectionWritableFile;

  // Fails with EROFS for `operation` while read-only.
  Status CheckWritable(std::string_view operation, std::string_view path) MAMORI_EXCLUDES(mu_);
  // Fails with EROFS or ENOSPC before a call that allocates an inode.
  Status CheckCanCreate(std::string_view operation, std::string_view path) MAMORI_EXCLUDES(mu_);
  // Counts one sync; fails it if it is the one FailNthSync chose.
  Status CountSync(std::string_view path) MAMORI_EXCLUDES(mu_);
  // Takes up to `wanted` bytes of free space; returns how many it got.
  uint64_t ReserveSpace(uint64_t wanted) MAMORI_EXCLUDES(mu_);
  // Wraps `file`, opened on `path` of size `size`, and starts tracking it.
  std::unique_ptr<WritableFile> Track(std::unique_ptr<WritableFile> file, const std::string& path,
                                      uint64_t size, bool truncated) MAMORI_EXCLUDES(mu_);
  void RecordSync(FileState& state, uint64_t size) MAMORI_EXCLUDES(mu_);
  uint64_t generation() const MAMORI_EXCLUDES(mu_);

  mutable std::mutex mu_;
  int syncs_until_failure_ MAMORI_GUARDED_BY(mu_) = 0;  // 0: none armed.
  bool fail_syncs_after_nth_ MAMORI_GUARDED_BY(mu_) = false;
  bool failing_every_sync_ MAMORI_GUARDED_BY(mu_) = false;
  std::optional<uint64_t> free_bytes_ MAMORI_GUARDED_BY(mu_);  // nullopt: unlimited.
  bool read_only_ MAMORI_GUARDED_BY(mu_) = false;
  // Bumped by DropUnsyncedData; a file opened in an older generation is dead.
  uint64_t generation_ MAMORI_GUARDED_BY(mu_) = 0;
  // Files written through us, by CleanPath(path).
  std::map<std::string, std::shared_ptr<FileState>> files_ MAMORI_GUARDED_BY(mu_);
};

}  // namespace mamori::core

// SPDX-License-Identifier: Apache-2.0
#pragma once

// core::FileSystem: how mamori reads and writes its own files (key files,
// config, certificates, backups, exports, the lock file) — STYLE.md rule 15.
// SQLite's writes go through SQLite's VFS instead.
//
// Implementations:
//   PosixFileSystem          production (FileSystem::Posix()), O_CLOEXEC everywhere
//   FileSystemWrapper        forwards every call; a test double overrides one method
//   MemFileSystem            tests (core/testing/mem_file_system.h)
//   FaultInjectionFileSystem tests: fail the Nth sync, full disk, read-only disk,
//                            drop unsynced data (core/testing/fault_injection_file_system.h)
//
//   core::FileSystem& fs = env.fs();
//   MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(fs, dir + "/config.toml", text, 0600));
//   MAMORI_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(dir + "/config.toml"));
//
// Errors: kNotFound (no such file), kAlreadyExists, kPermissionDenied,
// kResourceExhausted (disk full), kFailedPrecondition (not a directory, not
// empty), kUnavailable (I/O error, read-only file system).
// Thread-safety: a FileSystem may be shared; a WritableFile belongs to one thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace mamori::core {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Flushes to stable storage (fsync). Data appended before a successful Sync
  // survives a crash; data after it may not.
  virtual Status Sync() = 0;
  // Closes the file; further calls fail. The destructor closes silently.
  virtual Status Close() = 0;
};

// An exclusive advisory lock on a file, released on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

struct FileInfo {
  uint64_t size = 0;  // bytes for a regular file; 0 for a directory
  uint32_t mode = 0;  // permission bits only, e.g. 0600
  bool is_directory = false;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates or truncates `path` with permission bits `mode` (before umask).
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                uint32_t mode) = 0;
  // Opens `path` for appending, creating it with `mode` if missing.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path,
                                                                  uint32_t mode) = 0;
  // Reads the whole file.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // Whether `path` exists (any type). Errors other than "not there" propagate.
  virtual Result<bool> Exists(const std::string& path) = 0;
  // Names (not paths) of the entries in `dir`, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates one directory with `mode`; kAlreadyExists if it is there.
  virtual Status CreateDir(const std::string& dir, uint32_t mode) = 0;
  // Atomically replaces `to` with `from` (rename(2)).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // fsyncs a directory so that a rename or create inside it is durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Removes a file or an empty directory.
  virtual Status Remove(const std::string& path) = 0;
  virtual Status Chmod(const std::string& path, uint32_t mode) = 0;
  // Takes an exclusive lock on `path` (created if missing); kUnavailable when
  // another process holds it.
  // The lock belongs to the returned FileLock, not to the process (flock(2)
  // semantics, chosen over fcntl(2) record locks, which a second lock in the same
  // process silently shares and which any close() of the file drops): a second
  // Lock on the same file from this process also fails with kUnavailable until
  // the first FileLock is destroyed. The file is never removed; its contents are
  // not touched.
  virtual Result<std::unique_ptr<FileLock>> Lock(const std::string& path) = 0;

  // The process-wide POSIX file system. Never destroyed.
  static FileSystem& Posix();
};

// Forwards every call to `target`, so a test double can override one method.
class FileSystemWrapper : public FileSystem {
 public:
  explicit FileSystemWrapper(FileSystem& target) : target_(target) {}
  FileSystem& target() { return target_; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p, uint32_t m) override {
    return target_.NewWritableFile(p, m);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p,
                                                          uint32_t m) override {
    return target_.NewAppendableFile(p, m);
  }
  Result<std::string> ReadFile(const std::string& p) override { return target_.ReadFile(p); }
  Result<FileInfo> Stat(const std::string& p) override { return target_.Stat(p); }
  Result<bool> Exists(const std::string& p) override { return target_.Exists(p); }
  Result<std::vector<std::string>> ListDir(const std::string& d) override {
    return target_.ListDir(d);
  }
  Status CreateDir(const std::string& d, uint32_t m) override { return target_.CreateDir(d, m); }
  Status Rename(const std::string& f, const std::string& t) override {
    return target_.Rename(f, t);
  }
  Status SyncDir(const std::string& d) override { return target_.SyncDir(d); }
  Status Remove(const std::string& p) override { return target_.Remove(p); }
  Status Chmod(const std::string& p, uint32_t m) override { return target_.Chmod(p, m); }
  Result<std::unique_ptr<FileLock>> Lock(const std::string& p) override { return target_.Lock(p); }

 private:
  FileSystem& target_;
};

// Writes `data` to a temporary file beside `path`, syncs it, renames it over
// `path` and syncs the directory: after a crash the file holds either the old
// or the new contents, never a mix.
// The new file gets `mode` (before umask) even when `path` existed with other
// bits. The temporary file is "<path>.tmp.<pid>.<n>", unique per call, so
// concurrent calls on one path never mix contents (the last rename wins); it is
// removed on failure, but a crash can leave one behind.
// Errors: those of the calls above, with the path as context. When only the
// final directory sync fails (kUnavailable), the new contents are already
// visible but may not survive a crash.
Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view data,
                           uint32_t mode);

// Creates `dir` and any missing parents with `mode`. OK if `dir` is already a
// directory (also when another thread or process creates it concurrently);
// kFailedPrecondition if it or a parent is something else. Does not sync.
Status CreateDirs(FileSystem& fs, const std::string& dir, uint32_t mode);

// The directory part of a path ("a/b/c" -> "a/b", "c" -> ".").
// As dirname(3): "/c" -> "/", "/" -> "/", "a/b/" -> "a", "" -> ".".
std::string DirName(const std::string& path);
// Joins two path parts with exactly one '/'.
// ("a", "b") -> "a/b", ("a/", "/b") -> "a/b", ("/", "b") -> "/b"; an empty part
// yields the other part unchanged.
std::string JoinPath(std::string_view a, std::string_view b);

// The shortest lexically equivalent path, as Go's path.Clean: collapses "//",
// drops "." and "name/..", drops a trailing '/'; ".." above "/" stays at "/".
// "" -> ".". Does not touch the file system (so "link/.." is not resolved).
std::string CleanPath(std::string_view path);

// The one errno -> Status mapping for file operations, shared by every
// FileSystem so that all of them fail alike:
//   ENOENT -> kNotFound             EEXIST -> kAlreadyExists
//   EACCES, EPERM -> kPermissionDenied
//   ENOSPC, EDQUOT -> kResourceExhausted
//   ENOTDIR, ENOTEMPTY, EISDIR -> kFailedPrecondition
//   EROFS, EIO and any other value -> kUnavailable
// The message is "<operation> <path>: <strerror>", e.g. "open /k/key: No such
// file or directory"; it never contains file contents.
Status PosixErrorToStatus(int error_number, std::string_view operation, std::string_view path);

}  // namespace mamori::core

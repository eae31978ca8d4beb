// SPDX-License-Identifier: Apache-2.0
// PosixFileSystem: core::FileSystem over open(2), write(2), fsync(2), rename(2)
// and flock(2). Reached only through FileSystem::Posix().
//
// Every descriptor is opened with O_CLOEXEC so that a child process (an
// external backup tool, a PKCS#11 helper) never inherits a key file or the lock
// file. Every call retries on EINTR, and Append loops over short writes. Errors
// go through PosixErrorToStatus, so they name the path and strerror, never data.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <sys/file.h>
#include <sys/stat.h>

#include "core/file_system.h"

namespace mamori::core {
namespace {

// Runs `call` until it does not fail with EINTR.
template <typename Call>
auto RetryOnEintr(Call call) {
  decltype(call()) rc;
  do {
    rc = call();
  } while (rc == -1 && errno == EINTR);
  return rc;
}

Status ErrnoStatus(std::string_view operation, std::string_view path) {
  return PosixErrorToStatus(errno, operation, path);
}

// OK when a system call returned 0, otherwise its errno as a Status.
Status OkOrErrno(int rc, std::string_view operation, std::string_view path) {
  return rc == 0 ? Status::Ok() : ErrnoStatus(operation, path);
}

Result<int> Open(const std::string& path, int flags, mode_t mode = 0) {
  const int fd = RetryOnEintr([&] { return ::open(path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) return ErrnoStatus("open", path);
  return fd;
}

// Closes `fd`. Linux releases the descriptor even when close fails with EINTR,
// so retrying could close a descriptor another thread has just been given.
Status CloseFd(int fd, const std::string& path) {
  if (::close(fd) == 0 || errno == EINTR) return Status::Ok();
  return ErrnoStatus("close", path);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    // The destructor closes silently (file_system.h); durability was decided
    // by Sync, not by close.
    if (fd_ >= 0) CloseFd(fd_, path_).IgnoreError();
  }

  Status Append(std::string_view data) override {
    MAMORI_RETURN_IF_ERROR(CheckOpen("write"));
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_);
      }
      data.remove_prefix(static_cast<size_t>(n));  // A short write: go round again.
    }
    return Status::Ok();
  }

  Status Sync() override {
    MAMORI_RETURN_IF_ERROR(CheckOpen("fsync"));
    if (RetryOnEintr([&] { return ::fsync(fd_); }) != 0) return ErrnoStatus("fsync", path_);
    return Status::Ok();
  }

  Status Close() override {
    MAMORI_RETURN_IF_ERROR(CheckOpen("close"));
    const int fd = std::exchange(fd_, -1);
    return CloseFd(fd, path_);
  }

 private:
  Status CheckOpen(std::string_view operation) const {
    if (fd_ >= 0) return Status::Ok();
    return FailedPreconditionError(std::string(operation) + " " + path_ + ": file is closed");
  }

  int fd_;
  const std::string path_;
};

// Holds the flock(2) until destroyed; closing the descriptor releases it.
class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFileLock() override { CloseFd(fd_, path_).IgnoreError(); }

 private:
  const int fd_;
  const std::string path_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        uint32_t mode) override {
    return NewFile(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  }

  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path,
                                                          uint32_t mode) override {
    return NewFile(path, O_WRONLY | O_CREAT | O_APPEND, mode);
  }

  Result<std::string> ReadFile(const std::string& path) override {
    MAMORI_ASSIGN_OR_RETURN(const int fd, Open(path, O_RDONLY));
    Result<std::string> contents = ReadAll(fd, path);
    CloseFd(fd, path).IgnoreError();  // Read-only: a close error loses nothing.
    return contents;
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (RetryOnEintr([&] { return ::stat(path.c_str(), &st); }) != 0) {
      return ErrnoStatus("stat", path);
    }
    FileInfo info;
    info.is_directory = S_ISDIR(st.st_mode);
    // A directory's st_size is file-system specific; report 0 everywhere.
    info.size = info.is_directory ? 0 : static_cast<uint64_t>(st.st_size);
    info.mode = st.st_mode & 07777;
    return info;
  }

  Result<bool> Exists(const std::string& path) override {
    struct stat st;
    if (RetryOnEintr([&] { return ::stat(path.c_str(), &st); }) == 0) return true;
    // ENOTDIR: a parent is a regular file, so `path` cannot be there either.
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return ErrnoStatus("stat", path);
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    // open + fdopendir rather than opendir, which does not promise O_CLOEXEC.
    MAMORI_ASSIGN_OR_RETURN(const int fd, Open(dir, O_RDONLY | O_DIRECTORY));
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      Status s = ErrnoStatus("opendir", dir);
      CloseFd(fd, dir).IgnoreError();
      return s;
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(d)) {
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
      errno = 0;
    }
    Status s = errno == 0 ? Status::Ok() : ErrnoStatus("readdir", dir);
    ::closedir(d);  // Also closes fd.
    if (!s.ok()) return s;
    std::sort(names.begin(), names.end());
    return names;
  }

  Status CreateDir(const std::string& dir, uint32_t mode) override {
    const mode_t bits = static_cast<mode_t>(mode & 07777);
    return OkOrErrno(RetryOnEintr([&] { return ::mkdir(dir.c_str(), bits); }), "mkdir", dir);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    return OkOrErrno(RetryOnEintr([&] { return ::rename(from.c_str(), to.c_str()); }), "rename",
                     from + " to " + to);
  }

  Status SyncDir(const std::string& dir) override {
    MAMORI_ASSIGN_OR_RETURN(const int fd, Open(dir, O_RDONLY | O_DIRECTORY));
    Status s = Status::Ok();
    if (RetryOnEintr([&] { return ::fsync(fd); }) != 0) s = ErrnoStatus("fsync", dir);
    CloseFd(fd, dir).IgnoreError();  // Opened read-only: nothing to lose.
    return s;
  }

  Status Remove(const std::string& path) override {
    if (RetryOnEintr([&] { return ::unlink(path.c_str()); }) == 0) return Status::Ok();
    // Linux reports EISDIR for a directory (POSIX allows EPERM as well).
    if (errno != EISDIR && errno != EPERM) return ErrnoStatus("unlink", path);
    if (RetryOnEintr([&] { return ::rmdir(path.c_str()); }) == 0) return Status::Ok();
    // POSIX lets rmdir report a non-empty directory as EEXIST; it is ENOTEMPTY.
    if (errno == EEXIST) errno = ENOTEMPTY;
    if (errno == ENOTDIR) errno = EPERM;  // It was not a directory after all.
    return ErrnoStatus("rmdir", path);
  }

  Status Chmod(const std::string& path, uint32_t mode) override {
    const mode_t bits = static_cast<mode_t>(mode & 07777);
    return OkOrErrno(RetryOnEintr([&] { return ::chmod(path.c_str(), bits); }), "chmod", path);
  }

  Result<std::unique_ptr<FileLock>> Lock(const std::string& path) override {
    // 0600: the lock file says only "a server owns this data directory".
    MAMORI_ASSIGN_OR_RETURN(const int fd, Open(path, O_RDWR | O_CREAT, 0600));
    if (RetryOnEintr([&] { return ::flock(fd, LOCK_EX | LOCK_NB); }) != 0) {
      const int error_number = errno;
      CloseFd(fd, path).IgnoreError();
      if (error_number == EWOULDBLOCK) {
        return UnavailableError("lock " + path + ": held by another process or FileLock");
      }
      return PosixErrorToStatus(error_number, "flock", path);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(fd, path));
  }

 private:
  static Result<std::unique_ptr<WritableFile>> NewFile(const std::string& path, int flags,
                                                       uint32_t mode) {
    MAMORI_ASSIGN_OR_RETURN(const int fd, Open(path, flags, static_cast<mode_t>(mode & 07777)));
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(fd, path));
  }

  static Result<std::string> ReadAll(int fd, const std::string& path) {
    std::string contents;
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      contents.reserve(static_cast<size_t>(st.st_size));  // A hint; the loop decides.
    }
    char buffer[64 * 1024];
    while (true) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path);
      }
      if (n == 0) return contents;
      contents.append(buffer, static_cast<size_t>(n));
    }
  }
};

}  // namespace

FileSystem& FileSystem::Posix() {
  // Leaked on purpose: files may still be closed from static destructors.
  static FileSystem* const posix = new PosixFileSystem();
  return *posix;
}

}  // namespace mamori::core

// SPDX-License-Identifier: Apache-2.0
// The parts of core/file_system.h that work over any FileSystem: atomic file
// replacement, recursive directory creation, path helpers and the errno map.
#include "core/file_system.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>
#include <utility>

namespace mamori::core {
namespace {

// "<path>.tmp.<pid>.<n>": the pid keeps two processes apart, the counter two
// threads, so concurrent writers of one path never share a temporary file.
std::string TempPathFor(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

// Writes, syncs and closes `tmp`. The caller removes `tmp` on failure.
Status WriteAndSync(FileSystem& fs, const std::string& tmp, std::string_view data, uint32_t mode) {
  MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs.NewWritableFile(tmp, mode));
  MAMORI_RETURN_IF_ERROR(file->Append(data));
  MAMORI_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

// Succeeds if `dir` is a directory; used after CreateDir said kAlreadyExists.
Status ExpectDirectory(FileSystem& fs, const std::string& dir) {
  MAMORI_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(dir));
  if (!info.is_directory) return PosixErrorToStatus(ENOTDIR, "mkdir", dir);
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view data,
                           uint32_t mode) {
  const std::string tmp = TempPathFor(path);
  // A stale file of the same name (left by a crashed process that had our pid)
  // would keep its old, possibly wider, permission bits through the truncating
  // open; removing it first makes the key file get exactly `mode`.
  Status removed = fs.Remove(tmp);
  if (!removed.ok() && removed.code() != StatusCode::kNotFound) {
    return std::move(removed).With("writing ", path);
  }
  Status s = WriteAndSync(fs, tmp, data, mode);
  if (s.ok()) s = fs.Rename(tmp, path);
  if (!s.ok()) {
    // Best effort: the error that matters is `s`; a leftover temporary file
    // holds only the new data and never replaces `path`.
    fs.Remove(tmp).IgnoreError();
    return std::move(s).With("writing ", path);
  }
  return fs.SyncDir(DirName(path)).With("writing ", path);
}

Status CreateDirs(FileSystem& fs, const std::string& dir, uint32_t mode) {
  const std::string clean = CleanPath(dir);
  Status s = fs.CreateDir(clean, mode);
  if (s.ok()) return s;
  if (s.code() == StatusCode::kAlreadyExists) return ExpectDirectory(fs, clean);
  if (s.code() != StatusCode::kNotFound) return s;
  const std::string parent = DirName(clean);
  if (parent == clean) return s;  // "/" or "." missing: nothing left to create.
  MAMORI_RETURN_IF_ERROR(CreateDirs(fs, parent, mode));
  s = fs.CreateDir(clean, mode);
  // Another thread or process may have created it since our first attempt.
  if (s.code() == StatusCode::kAlreadyExists) return ExpectDirectory(fs, clean);
  return s;
}

std::string DirName(const std::string& path) {
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  const size_t slash = p.rfind('/');
  if (slash == std::string_view::npos) return ".";
  p = p.substr(0, slash);
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  return p.empty() ? "/" : std::string(p);
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  while (!a.empty() && a.back() == '/') a.remove_suffix(1);
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  std::string out(a);
  out += '/';
  out += b;
  return out;
}

std::string CleanPath(std::string_view path) {
  const bool rooted = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);  // A relative path may climb; "/.." is "/".
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

Status PosixErrorToStatus(int error_number, std::string_view operation, std::string_view path) {
  // std::generic_category().message is strerror_r underneath: thread-safe.
  std::string message(operation);
  message += ' ';
  message += path;
  message += ": ";
  message += std::generic_category().message(error_number);
  switch (error_number) {
    case ENOENT:
      return NotFoundError(std::move(message));
    case EEXIST:
      return AlreadyExistsError(std::move(message));
    case EACCES:
    case EPERM:
      return PermissionDeniedError(std::move(message));
    case ENOSPC:
    case EDQUOT:
      return ResourceExhaustedError(std::move(message));
    case ENOTDIR:
    case ENOTEMPTY:
    case EISDIR:
      return FailedPreconditionError(std::move(message));
    default:  // EROFS, EIO and the rest: the medium, not the caller, is at fault.
      return UnavailableError(std::move(message));
  }
}

}  // namespace mamori::core

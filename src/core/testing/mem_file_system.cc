// SPDX-License-Identifier: Apache-2.0
#include "core/testing/mem_file_system.h"

#include <algorithm>
#include <cerrno>
#include <utility>

namespace mamori::core {

// Writes into its inode under the file system's mutex. Like a descriptor, it
// follows the inode through Rename and Remove.
class MemFileSystem::MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemFileSystem& fs, InodePtr inode, std::string path)
      : fs_(fs), inode_(std::move(inode)), path_(std::move(path)) {}

  Status Append(std::string_view data) override {
    MAMORI_RETURN_IF_ERROR(CheckOpen("write"));
    std::lock_guard<std::mutex> lock(fs_.mu_);
    inode_->data.append(data);
    return Status::Ok();
  }
  Status Sync() override { return CheckOpen("fsync"); }
  Status Close() override {
    MAMORI_RETURN_IF_ERROR(CheckOpen("close"));
    closed_ = true;
    return Status::Ok();
  }

 private:
  // The same message PosixWritableFile gives.
  Status CheckOpen(std::string_view operation) const {
    if (!closed_) return Status::Ok();
    return FailedPreconditionError(std::string(operation) + " " + path_ + ": file is closed");
  }

  MemFileSystem& fs_;
  const InodePtr inode_;
  const std::string path_;
  bool closed_ = false;  // Owned by the one thread using the file.
};

class MemFileSystem::MemFileLock final : public FileLock {
 public:
  MemFileLock(MemFileSystem& fs, InodePtr inode) : fs_(fs), inode_(std::move(inode)) {}
  ~MemFileLock() override {
    std::lock_guard<std::mutex> lock(fs_.mu_);
    fs_.locked_.erase(inode_.get());
  }

 private:
  MemFileSystem& fs_;
  const InodePtr inode_;  // Keeps the address in locked_ from being reused.
};

MemFileSystem::MemFileSystem() {
  nodes_["/"] = std::make_shared<Inode>(Inode{.is_directory = true, .mode = 0755, .data = {}});
}

MemFileSystem::~MemFileSystem() = default;

std::string MemFileSystem::Key(std::string_view path) {
  if (path.empty()) return "";
  return CleanPath("/" + std::string(path));
}

int MemFileSystem::FindLocked(const std::string& key, InodePtr* out) const {
  if (key.empty()) return ENOENT;
  // Walk the ancestors first: a regular file on the way gives ENOTDIR, as
  // path resolution in the kernel does.
  for (size_t slash = key.find('/', 1); slash != std::string::npos;
       slash = key.find('/', slash + 1)) {
    auto it = nodes_.find(key.substr(0, slash));
    if (it == nodes_.end()) return ENOENT;
    if (!it->second->is_directory) return ENOTDIR;
  }
  auto it = nodes_.find(key);
  if (it == nodes_.end()) return ENOENT;
  *out = it->second;
  return 0;
}

int MemFileSystem::CheckParentLocked(const std::string& key) const {
  if (key.empty()) return ENOENT;
  InodePtr parent;
  if (int err = FindLocked(DirName(key), &parent); err != 0) return err;
  return parent->is_directory ? 0 : ENOTDIR;
}

bool MemFileSystem::HasChildrenLocked(const std::string& key) const {
  const std::string prefix = key == "/" ? "/" : key + "/";
  auto it = nodes_.upper_bound(prefix);
  return it != nodes_.end() && it->first.starts_with(prefix);
}

void MemFileSystem::MoveChildrenLocked(const std::string& from, const std::string& to) {
  const std::string prefix = from + "/";
  std::vector<std::pair<std::string, InodePtr>> moved;
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix);) {
    moved.emplace_back(to + it->first.substr(from.size()), std::move(it->second));
    it = nodes_.erase(it);
  }
  for (auto& [key, inode] : moved) nodes_[key] = std::move(inode);
}

Result<std::unique_ptr<WritableFile>> MemFileSystem::OpenFile(const std::string& path,
                                                              uint32_t mode, bool truncate) {
  const std::string key = Key(path);
  std::lock_guard<std::mutex> lock(mu_);
  if (int err = CheckParentLocked(key); err != 0) return PosixErrorToStatus(err, "open", path);
  InodePtr& inode = nodes_[key];
  if (inode == nullptr) {
    // As open(2) with O_CREAT: `mode` only applies to a new file.
    inode = std::make_shared<Inode>(Inode{.is_directory = false, .mode = mode & 07777, .data = {}});
  } else if (inode->is_directory) {
    return PosixErrorToStatus(EISDIR, "open", path);
  } else if (truncate) {
    inode->data.clear();
  }
  return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(*this, inode, path));
}

Result<std::unique_ptr<WritableFile>> MemFileSystem::NewWritableFile(const std::string& path,
                                                                     uint32_t mode) {
  return OpenFile(path, mode, /*truncate=*/true);
}

Result<std::unique_ptr<WritableFile>> MemFileSystem::NewAppendableFile(const std::string& path,
                                                                       uint32_t mode) {
  return OpenFile(path, mode, /*truncate=*/false);
}

Result<std::string> MemFileSystem::ReadFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  InodePtr inode;
  if (int err = FindLocked(Key(path), &inode); err != 0) {
    return PosixErrorToStatus(err, "open", path);
  }
  if (inode->is_directory) return PosixErrorToStatus(EISDIR, "read", path);
  return inode->data;
}

Result<FileInfo> MemFileSystem::Stat(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  InodePtr inode;
  if (int err = FindLocked(Key(path), &inode); err != 0) {
    return PosixErrorToStatus(err, "stat", path);
  }
  FileInfo info;
  info.size = inode->data.size();
  info.mode = inode->mode;
  info.is_directory = inode->is_directory;
  return info;
}

Result<bool> MemFileSystem::Exists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  InodePtr inode;
  return FindLocked(Key(path), &inode) == 0;  // ENOENT and ENOTDIR both mean "not there".
}

Result<std::vector<std::string>> MemFileSystem::ListDir(const std::string& dir) {
  const std::string key = Key(dir);
  std::lock_guard<std::mutex> lock(mu_);
  InodePtr inode;
  if (int err = FindLocked(key, &inode); err != 0) return PosixErrorToStatus(err, "open", dir);
  if (!inode->is_directory) return PosixErrorToStatus(ENOTDIR, "open", dir);
  const std::string prefix = key == "/" ? "/" : key + "/";
  std::vector<std::string> names;
  for (auto it = nodes_.upper_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix);
       ++it) {
    std::string_view name = std::string_view(it->first).substr(prefix.size());
    if (name.find('/') == std::string_view::npos) names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status MemFileSystem::CreateDir(const std::string& dir, uint32_t mode) {
  const std::string key = Key(dir);
  std::lock_guard<std::mutex> lock(mu_);
  if (nodes_.contains(key)) return PosixErrorToStatus(EEXIST, "mkdir", dir);
  if (int err = CheckParentLocked(key); err != 0) return PosixErrorToStatus(err, "mkdir", dir);
  nodes_[key] =
      std::make_shared<Inode>(Inode{.is_directory = true, .mode = mode & 07777, .data = {}});
  return Status::Ok();
}

Status MemFileSystem::Rename(const std::string& from, const std::string& to) {
  const std::string from_key = Key(from);
  const std::string to_key = Key(to);
  const std::string shown = from + " to " + to;  // As PosixFileSystem names it.
  std::lock_guard<std::mutex> lock(mu_);
  InodePtr source;
  if (int err = FindLocked(from_key, &source); err != 0) {
    return PosixErrorToStatus(err, "rename", shown);
  }
  if (int err = CheckParentLocked(to_key); err != 0) {
    return PosixErrorToStatus(err, "rename", shown);
  }
  if (from_key == to_key) return Status::Ok();  // rename(2): same file, nothing to do.
  if (source->is_directory && to_key.starts_with(from_key + "/")) {
    return PosixErrorToStatus(EINVAL, "rename", shown);  // Into its own subtree.
  }
  if (auto it = nodes_.find(to_key); it != nodes_.end()) {
    const Inode& target = *it->second;
    if (source->is_directory && !target.is_directory) {
      return PosixErrorToStatus(ENOTDIR, "rename", shown);
    }
    if (!source->is_directory && target.is_directory) {
      return PosixErrorToStatus(EISDIR, "rename", shown);
    }
    if (target.is_directory && HasChildrenLocked(to_key)) {
      return PosixErrorToStatus(ENOTEMPTY, "rename", shown);
    }
  }
  nodes_[to_key] = source;
  nodes_.erase(from_key);
  if (source->is_directory) MoveChildrenLocked(from_key, to_key);
  return Status::Ok();
}

Status MemFileSystem::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  InodePtr inode;
  if (int err = FindLocked(Key(dir), &inode); err != 0) {
    return PosixErrorToStatus(err, "open", dir);
  }
  if (!inode->is_directory) return PosixErrorToStatus(ENOTDIR, "open", dir);
  return Status::Ok();
}

Status MemFileSystem::Remove(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard<std::mutex> lock(mu_);
  InodePtr inode;
  if (int err = FindLocked(key, &inode); err != 0) {
    return PosixErrorToStatus(err, "unlink", path);
  }
  if (key == "/") return PosixErrorToStatus(EBUSY, "rmdir", path);
  if (inode->is_directory && HasChildrenLocked(key)) {
    return PosixErrorToStatus(ENOTEMPTY, "rmdir", path);
  }
  nodes_.erase(key);
  return Status::Ok();
}

Status MemFileSystem::Chmod(const std::string& path, uint32_t mode) {
  std::lock_guard<std::mutex> lock(mu_);
  InodePtr inode;
  if (int err = FindLocked(Key(path), &inode); err != 0) {
    return PosixErrorToStatus(err, "chmod", path);
  }
  inode->mode = mode & 07777;
  return Status::Ok();
}

Result<std::unique_ptr<FileLock>> MemFileSystem::Lock(const std::string& path) {
  const std::string key = Key(path);
  std::lock_guard<std::mutex> lock(mu_);
  if (int err = CheckParentLocked(key); err != 0) return PosixErrorToStatus(err, "open", path);
  InodePtr& inode = nodes_[key];
  if (inode == nullptr) {
    inode = std::make_shared<Inode>(Inode{.is_directory = false, .mode = 0600, .data = {}});
  } else if (inode->is_directory) {
    return PosixErrorToStatus(EISDIR, "open", path);
  }
  if (!locked_.insert(inode.get()).second) {
    return UnavailableError("lock " + path + ": held by another process or FileLock");
  }
  return std::unique_ptr<FileLock>(std::make_unique<MemFileLock>(*this, inode));
}

}  // namespace mamori::core

// SPDX-License-Identifier: Apache-2.0
#include "core/testing/fault_injection_file_system.h"

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

namespace mamori::core {
namespace {

Status Injected(int error_number, std::string_view operation, std::string_view path) {
  return PosixErrorToStatus(error_number, operation, path).With("fault injection");
}

bool IsAtOrBelow(const std::string& key, const std::string& dir) {
  return key == dir || (key.size() > dir.size() && key.starts_with(dir) &&
                        (dir.back() == '/' || key[dir.size()] == '/'));
}

}  // namespace

// Forwards to the target's file, applying the faults and recording how much of
// the file the last successful Sync made durable.
class FaultInjectionFileSystem::FaultInjectionWritableFile final : public WritableFile {
 public:
  FaultInjectionWritableFile(FaultInjectionFileSystem& fs, std::unique_ptr<WritableFile> file,
                             std::shared_ptr<FileState> state, std::string path, uint64_t size)
      : fs_(fs),
        file_(std::move(file)),
        state_(std::move(state)),
        path_(std::move(path)),
        size_(size),
        generation_(fs.generation()) {}

  Status Append(std::string_view data) override {
    MAMORI_RETURN_IF_ERROR(CheckAlive("write"));
    MAMORI_RETURN_IF_ERROR(fs_.CheckWritable("write", path_));
    const uint64_t fits = fs_.ReserveSpace(data.size());
    if (fits > 0) {
      MAMORI_RETURN_IF_ERROR(file_->Append(data.substr(0, fits)));
      size_ += fits;
    }
    if (fits < data.size()) return Injected(ENOSPC, "write", path_);
    return Status::Ok();
  }

  Status Sync() override {
    MAMORI_RETURN_IF_ERROR(CheckAlive("fsync"));
    MAMORI_RETURN_IF_ERROR(fs_.CheckWritable("fsync", path_));
    MAMORI_RETURN_IF_ERROR(fs_.CountSync(path_));
    MAMORI_RETURN_IF_ERROR(file_->Sync());
    fs_.RecordSync(*state_, size_);
    return Status::Ok();
  }

  Status Close() override {
    MAMORI_RETURN_IF_ERROR(CheckAlive("close"));
    return file_->Close();
  }

 private:
  Status CheckAlive(std::string_view operation) const {
    if (generation_ == fs_.generation()) return Status::Ok();
    return FailedPreconditionError(std::string(operation) + " " + path_ +
                                   ": file was open across DropUnsyncedData");
  }

  FaultInjectionFileSystem& fs_;
  const std::unique_ptr<WritableFile> file_;
  const std::shared_ptr<FileState> state_;  // Shared with files_ while tracked.
  const std::string path_;
  uint64_t size_;  // Bytes in the file as this writer knows it.
  const uint64_t generation_;
};

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem& target)
    : FileSystemWrapper(target) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

void FaultInjectionFileSystem::FailNthSync(int n, bool and_later) {
  MAMORI_CHECK(n >= 1);
  std::lock_guard<std::mutex> lock(mu_);
  syncs_until_failure_ = n;
  fail_syncs_after_nth_ = and_later;
  failing_every_sync_ = false;
}

void FaultInjectionFileSystem::SetDiskFullAfter(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  free_bytes_ = bytes;
}

void FaultInjectionFileSystem::SetDiskFull() { SetDiskFullAfter(0); }

void FaultInjectionFileSystem::SetReadOnly(bool read_only) {
  std::lock_guard<std::mutex> lock(mu_);
  read_only_ = read_only;
}

void FaultInjectionFileSystem::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  syncs_until_failure_ = 0;
  fail_syncs_after_nth_ = false;
  failing_every_sync_ = false;
  free_bytes_.reset();
  read_only_ = false;
}

Status FaultInjectionFileSystem::DropUnsyncedData() {
  std::vector<std::pair<std::string, uint64_t>> files;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    for (const auto& [path, state] : files_) files.emplace_back(path, state->synced_size);
  }
  for (const auto& [path, synced_size] : files) {
    Result<FileInfo> info = target().Stat(path);
    if (!info.ok() && info.status().code() == StatusCode::kNotFound) continue;
    MAMORI_RETURN_IF_ERROR(info.status().With("dropping unsynced data"));
    if (info->is_directory || info->size <= synced_size) continue;
    // The FileSystem interface has no truncate, so rewrite the synced prefix
    // in place, as leveldb's fault injection test does.
    MAMORI_ASSIGN_OR_RETURN(std::string contents, target().ReadFile(path));
    contents.resize(std::min<uint64_t>(contents.size(), synced_size));
    MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                            target().NewWritableFile(path, info->mode));
    MAMORI_RETURN_IF_ERROR(file->Append(contents));
    MAMORI_RETURN_IF_ERROR(file->Sync());
    MAMORI_RETURN_IF_ERROR(file->Close());
  }
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewWritableFile(
    const std::string& path, uint32_t mode) {
  MAMORI_RETURN_IF_ERROR(CheckCanCreate("open", path));
  MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, target().NewWritableFile(path, mode));
  return Track(std::move(file), path, 0, /*truncated=*/true);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewAppendableFile(
    const std::string& path, uint32_t mode) {
  MAMORI_RETURN_IF_ERROR(CheckCanCreate("open", path));
  MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                          target().NewAppendableFile(path, mode));
  MAMORI_ASSIGN_OR_RETURN(FileInfo info, target().Stat(path));
  return Track(std::move(file), path, info.size, /*truncated=*/false);
}

Status FaultInjectionFileSystem::CreateDir(const std::string& dir, uint32_t mode) {
  MAMORI_RETURN_IF_ERROR(CheckCanCreate("mkdir", dir));
  return target().CreateDir(dir, mode);
}

Status FaultInjectionFileSystem::Rename(const std::string& from, const std::string& to) {
  MAMORI_RETURN_IF_ERROR(CheckWritable("rename", from + " to " + to));
  MAMORI_RETURN_IF_ERROR(target().Rename(from, to));
  const std::string from_key = CleanPath(from);
  const std::string to_key = CleanPath(to);
  if (from_key == to_key) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  // Whatever was at `to` is gone; what was at `from` (and below it, for a
  // directory) now lives at `to`.
  std::erase_if(files_, [&](const auto& entry) { return IsAtOrBelow(entry.first, to_key); });
  std::vector<std::pair<std::string, std::shared_ptr<FileState>>> moved;
  for (auto it = files_.begin(); it != files_.end();) {
    if (!IsAtOrBelow(it->first, from_key)) {
      ++it;
      continue;
    }
    moved.emplace_back(to_key + it->first.substr(from_key.size()), std::move(it->second));
    it = files_.erase(it);
  }
  for (auto& [key, state] : moved) files_[key] = std::move(state);
  return Status::Ok();
}

Status FaultInjectionFileSystem::SyncDir(const std::string& dir) {
  MAMORI_RETURN_IF_ERROR(CountSync(dir));
  return target().SyncDir(dir);
}

Status FaultInjectionFileSystem::Remove(const std::string& path) {
  MAMORI_RETURN_IF_ERROR(CheckWritable("unlink", path));
  MAMORI_RETURN_IF_ERROR(target().Remove(path));
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(CleanPath(path));
  return Status::Ok();
}

Status FaultInjectionFileSystem::Chmod(const std::string& path, uint32_t mode) {
  MAMORI_RETURN_IF_ERROR(CheckWritable("chmod", path));
  return target().Chmod(path, mode);
}

Result<std::unique_ptr<FileLock>> FaultInjectionFileSystem::Lock(const std::string& path) {
  // Lock opens its file for writing, which a read-only mount refuses.
  MAMORI_RETURN_IF_ERROR(CheckWritable("open", path));
  return target().Lock(path);
}

Status FaultInjectionFileSystem::CheckWritable(std::string_view operation, std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (read_only_) return Injected(EROFS, operation, path);
  return Status::Ok();
}

Status FaultInjectionFileSystem::CheckCanCreate(std::string_view operation, std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (read_only_) return Injected(EROFS, operation, path);
  if (free_bytes_ == uint64_t{0}) return Injected(ENOSPC, operation, path);
  return Status::Ok();
}

Status FaultInjectionFileSystem::CountSync(std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failing_every_sync_) return Injected(EIO, "fsync", path);
  if (syncs_until_failure_ == 0 || --syncs_until_failure_ > 0) return Status::Ok();
  failing_every_sync_ = fail_syncs_after_nth_;
  return Injected(EIO, "fsync", path);
}

uint64_t FaultInjectionFileSystem::ReserveSpace(uint64_t wanted) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!free_bytes_.has_value()) return wanted;
  const uint64_t granted = std::min(wanted, *free_bytes_);
  *free_bytes_ -= granted;
  return granted;
}

std::unique_ptr<WritableFile> FaultInjectionFileSystem::Track(std::unique_ptr<WritableFile> file,
                                                              const std::string& path,
                                                              uint64_t size, bool truncated) {
  std::shared_ptr<FileState> state;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<FileState>& tracked = files_[CleanPath(path)];
    // A truncated file starts over at 0. An appended file already tracked
    // keeps its synced length: its unsynced tail is still unsynced. One not
    // tracked yet was written before us, so what it holds counts as durable.
    if (truncated || tracked == nullptr) {
      tracked = std::make_shared<FileState>(FileState{.synced_size = truncated ? 0 : size});
    }
    state = tracked;
  }
  return std::make_unique<FaultInjectionWritableFile>(*this, std::move(file), std::move(state),
                                                      path, size);
}

void FaultInjectionFileSystem::RecordSync(FileState& state, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  state.synced_size = size;
}

uint64_t FaultInjectionFileSystem::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

}  // namespace mamori::core

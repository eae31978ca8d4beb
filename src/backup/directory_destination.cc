// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include <sys/stat.h>

#include "backup/destination.h"
#include "core/random.h"

namespace mamori::backup {
namespace {

namespace fs = std::filesystem;

bool IsSafeName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.size() > 512) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '/' || c == '-';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos && name.find("//") == std::string_view::npos;
}

core::Status Errno(const std::string& what, const std::string& path) {
  return core::UnavailableError(what + " " + path + ": " + std::strerror(errno));
}

core::Status FsyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("cannot fsync", path);
  return core::Status::Ok();
}

class DirectoryDestination final : public Destination {
 public:
  explicit DirectoryDestination(std::string root) : root_(std::move(root)) {}

  core::Status PutNew(std::string_view name, std::string_view bytes) override {
    MAMORI_RETURN_IF_ERROR(PutNewUnflushed(name, bytes));
    return FsyncPath(fs::path(root_ + "/" + std::string(name)).parent_path().string(),
                     O_RDONLY | O_DIRECTORY);
  }

  // The object's bytes are fsynced before link() names it, so a name never
  // points at a torn object; the directory entry is fsynced by Flush(), once
  // per directory instead of once per object.
  core::Status PutNewUnflushed(std::string_view name, std::string_view bytes) override {
    if (!IsSafeName(name)) return core::InvalidArgumentError("bad backup object name");
    std::string path = root_ + "/" + std::string(name);
    std::string dir = fs::path(path).parent_path().string();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return core::UnavailableError("cannot create " + dir + ": " + ec.message());
    std::string tmp = dir + "/.tmp-" + RandomSuffix();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
    if (fd < 0) return Errno("cannot create", tmp);
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        core::Status s = Errno("cannot write", tmp);
        ::close(fd);
        ::unlink(tmp.c_str());
        return s;
      }
      done += static_cast<size_t>(n);
    }
    bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) {
      ::unlink(tmp.c_str());
      return Errno("cannot fsync", tmp);
    }
    // link() never replaces an existing name: an object, once written, stays.
    int rc = ::link(tmp.c_str(), path.c_str());
    int link_errno = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) {
      errno = link_errno;
      if (link_errno == EEXIST) return core::AlreadyExistsError("backup object exists: " + path);
      return Errno("cannot link", path);
    }
    std::lock_guard lock(mu_);
    unflushed_dirs_.insert(dir);
    return core::Status::Ok();
  }

  core::Status Flush() override {
    std::set<std::string> dirs;
    {
      std::lock_guard lock(mu_);
      dirs.swap(unflushed_dirs_);
    }
    for (const std::string& dir : dirs) {
      core::Status s = FsyncPath(dir, O_RDONLY | O_DIRECTORY);
      if (!s.ok()) {
        std::lock_guard lock(mu_);
        unflushed_dirs_.insert(dirs.begin(), dirs.end());
        return s;
      }
    }
    // New shard directories (packs/ab) are entries of packs/ and the root.
    std::error_code ec;
    if (fs::is_directory(root_ + "/packs", ec)) {
      MAMORI_RETURN_IF_ERROR(FsyncPath(root_ + "/packs", O_RDONLY | O_DIRECTORY));
    }
    return FsyncPath(root_, O_RDONLY | O_DIRECTORY);
  }

  core::Result<std::string> Get(std::string_view name) override {
    if (!IsSafeName(name)) return core::InvalidArgumentError("bad backup object name");
    std::string path = root_ + "/" + std::string(name);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      if (errno == ENOENT) return core::NotFoundError("no backup object " + path);
      return Errno("cannot read", path);
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Errno("cannot read", path);
    return bytes;
  }

  core::Result<std::string> GetRange(std::string_view name, uint64_t offset,
                                     uint64_t length) override {
    if (!IsSafeName(name)) return core::InvalidArgumentError("bad backup object name");
    std::string path = root_ + "/" + std::string(name);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return core::NotFoundError("no backup object " + path);
      return Errno("cannot open", path);
    }
    std::string bytes(length, '\0');
    size_t done = 0;
    while (done < length) {
      ssize_t n =
          ::pread(fd, bytes.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        core::Status s = Errno("cannot read", path);
        ::close(fd);
        return s;
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    if (done < length) {
      return core::DataLossError("backup object " + path + " is shorter (cut short at byte " +
                                 std::to_string(offset + done) + ")");
    }
    return bytes;
  }

  core::Result<bool> Exists(std::string_view name) override {
    if (!IsSafeName(name)) return core::InvalidArgumentError("bad backup object name");
    std::error_code ec;
    bool exists = fs::exists(root_ + "/" + std::string(name), ec);
    if (ec) return core::UnavailableError("cannot stat in " + root_ + ": " + ec.message());
    return exists;
  }

  core::Result<std::vector<std::string>> List(std::string_view prefix) override {
    std::vector<std::string> out;
    std::string base = root_ + "/" + std::string(prefix);
    std::error_code ec;
    if (!fs::exists(base, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(base, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string rel = fs::relative(it->path(), root_).string();
      if (fs::path(rel).filename().string().starts_with(".tmp-")) continue;
      out.push_back(rel);
    }
    if (ec) return core::UnavailableError("cannot list " + base + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string Describe() const override { return root_; }

 private:
  static std::string RandomSuffix() {
    uint8_t b[8];
    core::Random::Secure().Fill(b);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (uint8_t x : b) {
      s.push_back(kHex[x >> 4]);
      s.push_back(kHex[x & 15]);
    }
    return s;
  }
  std::string root_;
  std::mutex mu_;
  std::set<std::string> unflushed_dirs_;  // GUARDED_BY(mu_)
};

// The only type with Remove; OpenDirectoryDestination never returns one.
class PrunableDirectoryDestination final : public PrunableDestination {
 public:
  explicit PrunableDirectoryDestination(std::string root) : dir_(std::move(root)) {}
  core::Status PutNew(std::string_view name, std::string_view bytes) override {
    return dir_.PutNew(name, bytes);
  }
  core::Status PutNewUnflushed(std::string_view name, std::string_view bytes) override {
    return dir_.PutNewUnflushed(name, bytes);
  }
  core::Status Flush() override { return dir_.Flush(); }
  core::Result<std::string> Get(std::string_view name) override { return dir_.Get(name); }
  core::Result<std::string> GetRange(std::string_view name, uint64_t offset,
                                     uint64_t length) override {
    return dir_.GetRange(name, offset, length);
  }
  core::Result<bool> Exists(std::string_view name) override { return dir_.Exists(name); }
  core::Result<std::vector<std::string>> List(std::string_view prefix) override {
    return dir_.List(prefix);
  }
  std::string Describe() const override { return dir_.Describe(); }

  core::Status Remove(std::string_view name) override {
    if (!IsSafeName(name)) return core::InvalidArgumentError("bad backup object name");
    std::string path = dir_.Describe() + "/" + std::string(name);
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return core::NotFoundError("no backup object " + path);
      return Errno("cannot remove", path);
    }
    return core::Status::Ok();
  }

 private:
  DirectoryDestination dir_;
};

}  // namespace

core::Result<std::unique_ptr<PrunableDestination>> OpenDirectoryDestinationForPrune(
    const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return core::NotFoundError("no backup directory " + root);
  return std::unique_ptr<PrunableDestination>(
      new PrunableDirectoryDestination(fs::absolute(root).string()));
}

core::Result<std::unique_ptr<Destination>> OpenDirectoryDestination(const std::string& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec)
    return core::UnavailableError("cannot create backup directory " + root + ": " + ec.message());
  ::chmod(root.c_str(), 0700);
  return std::unique_ptr<Destination>(new DirectoryDestination(fs::absolute(root).string()));
}

}  // namespace mamori::backup

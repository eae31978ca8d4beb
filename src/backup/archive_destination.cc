// SPDX-License-Identifier: Apache-2.0
// The offline archive (destination.h has the layout).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include <sys/stat.h>

#include "backup/destination.h"
#include "crypto/hash.h"
#include "crypto/hex.h"

namespace mamori::backup {
namespace {

constexpr std::string_view kFileMagic = "MAMORI-ARCHIVE/1\n";
constexpr std::string_view kRecordMagic = "MREC";
constexpr size_t kFixedHeader = 4 + 2 + 8;  // magic, name length, data length
constexpr size_t kHeaderCheck = 8;
constexpr size_t kTrailer = 32;

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLe(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string RecordHeader(std::string_view name, uint64_t size) {
  std::string h(kRecordMagic);
  PutLe(h, name.size(), 2);
  PutLe(h, size, 8);
  h.append(name);
  crypto::Sha256Digest check = crypto::Sha256(crypto::AsBytes(h));
  h.append(reinterpret_cast<const char*>(check.data()), kHeaderCheck);
  return h;
}

std::string Trailer(std::string_view name, std::string_view data) {
  std::string both(name);
  both.append(data);
  crypto::Sha256Digest sum = crypto::Sha256(crypto::AsBytes(both));
  return std::string(reinterpret_cast<const char*>(sum.data()), sum.size());
}

class ArchiveDestination final : public Destination {
 public:
  ArchiveDestination(std::string path, int fd, bool writable)
      : path_(std::move(path)), fd_(fd), writable_(writable) {}
  ~ArchiveDestination() override { ::close(fd_); }

  // Reads the whole file's record structure.
  core::Status Scan() {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Errno("cannot stat");
    uint64_t size = static_cast<uint64_t>(st.st_size);
    std::string head(kFileMagic.size(), '\0');
    if (size < kFileMagic.size() || !ReadAt(0, head) || head != kFileMagic) {
      return core::DataLossError(path_ + " is not a mamori archive");
    }
    uint64_t at = kFileMagic.size();
    uint64_t packs_since_manifest = 0, first_orphan = 0;
    while (at < size) {
      std::string fixed(kFixedHeader, '\0');
      if (size - at < kFixedHeader || !ReadAt(at, fixed)) {
        Damage(at, "record header cut short: the archive was truncated at byte " +
                       std::to_string(size));
        break;
      }
      const auto* f = reinterpret_cast<const uint8_t*>(fixed.data());
      uint64_t name_len = GetLe(f + 4, 2), data_len = GetLe(f + 6, 8);
      bool header_ok = fixed.starts_with(kRecordMagic) && name_len > 0 && name_len <= 512 &&
                       size - at >= kFixedHeader + name_len + kHeaderCheck;
      std::string name;
      if (header_ok) {
        std::string rest(name_len + kHeaderCheck, '\0');
        header_ok = ReadAt(at + kFixedHeader, rest);
        name = rest.substr(0, name_len);
        header_ok = header_ok && RecordHeader(name, data_len).substr(kFixedHeader + name_len) ==
                                     rest.substr(name_len);
      }
      if (!header_ok) {
        uint64_t next = FindNextRecord(at + 1, size);
        Damage(at, "damaged record header; bytes " + std::to_string(at) + ".." +
                       std::to_string(next) + " cannot be read");
        at = next;
        continue;
      }
      uint64_t data_at = at + kFixedHeader + name_len + kHeaderCheck;
      if (size - data_at < data_len + kTrailer) {
        Damage(at, name + " cut short: the archive was truncated at byte " + std::to_string(size));
        break;
      }
      std::string data(data_len, '\0'), trailer(kTrailer, '\0');
      if (!ReadAt(data_at, data) || !ReadAt(data_at + data_len, trailer)) {
        return Errno("cannot read");
      }
      if (Trailer(name, data) != trailer) {
        Damage(at, name + ": record checksum does not match (content changed)");
      }
      index_.emplace(name, Entry{data_at, data_len});
      if (name.starts_with("packs/")) {
        if (packs_since_manifest++ == 0) first_orphan = at;
      } else if (name.starts_with("snapshots/")) {
        packs_since_manifest = 0;
      }
      at = data_at + data_len + kTrailer;
    }
    end_ = at;
    if (packs_since_manifest > 0) {
      problems_.push_back(
          {path_ + " offset " + std::to_string(first_orphan),
           std::to_string(packs_since_manifest) +
               " pack records after the last snapshot manifest: a backup was cut short "
               "(interrupted, or the archive was truncated)"});
    }
    return core::Status::Ok();
  }

  core::Status PutNew(std::string_view name, std::string_view bytes) override {
    MAMORI_RETURN_IF_ERROR(PutNewUnflushed(name, bytes));
    return Flush();
  }

  // Appends without fdatasync: a crash can leave a torn last record, which
  // the next open reports (and the archive is then not written to).
  core::Status PutNewUnflushed(std::string_view name, std::string_view bytes) override {
    if (name.empty() || name.size() > 512) {
      return core::InvalidArgumentError("bad backup object name");
    }
    std::lock_guard lock(mu_);
    if (!writable_) return core::FailedPreconditionError(path_ + " is read-only");
    if (damaged_) {
      return core::FailedPreconditionError(path_ +
                                           " is damaged (`mamori backup verify`); write to a new "
                                           "archive");
    }
    if (index_.contains(std::string(name))) {
      return core::AlreadyExistsError("backup object exists: " + path_ + ":" + std::string(name));
    }
    std::string record = RecordHeader(name, bytes.size());
    uint64_t data_at = end_ + record.size();
    record.append(bytes);
    record += Trailer(name, bytes);
    size_t done = 0;
    while (done < record.size()) {
      ssize_t n = ::pwrite(fd_, record.data() + done, record.size() - done,
                           static_cast<off_t>(end_ + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        damaged_ = true;  // a torn record: the next open reports it
        return Errno("cannot write");
      }
      done += static_cast<size_t>(n);
    }
    index_.emplace(std::string(name), Entry{data_at, bytes.size()});
    end_ += record.size();
    return core::Status::Ok();
  }

  core::Status Flush() override {
    std::lock_guard lock(mu_);
    if (writable_ && ::fdatasync(fd_) != 0) return Errno("cannot fsync");
    return core::Status::Ok();
  }

  core::Result<std::string> Get(std::string_view name) override {
    MAMORI_ASSIGN_OR_RETURN(Entry e, Find(name));
    std::string bytes(e.size, '\0');
    if (!ReadAt(e.offset, bytes)) return Errno("cannot read");
    return bytes;
  }

  core::Result<std::string> GetRange(std::string_view name, uint64_t offset,
                                     uint64_t length) override {
    MAMORI_ASSIGN_OR_RETURN(Entry e, Find(name));
    if (offset > e.size || length > e.size - offset) {
      return core::DataLossError("backup object " + path_ + ":" + std::string(name) +
                                 " is shorter (" + std::to_string(e.size) + " bytes)");
    }
    std::string bytes(length, '\0');
    if (!ReadAt(e.offset + offset, bytes)) return Errno("cannot read");
    return bytes;
  }

  core::Result<bool> Exists(std::string_view name) override {
    std::lock_guard lock(mu_);
    return index_.contains(std::string(name));
  }

  core::Result<std::vector<std::string>> List(std::string_view prefix) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (auto it = index_.lower_bound(std::string(prefix));
         it != index_.end() && it->first.starts_with(prefix); ++it) {
      out.push_back(it->first);
    }
    return out;
  }

  std::string Describe() const override { return "archive:" + path_; }

  std::vector<Problem> CheckContainer() override {
    std::lock_guard lock(mu_);
    return problems_;
  }

 private:
  struct Entry {
    uint64_t offset = 0;
    uint64_t size = 0;
  };

  // The index entry of `name`, copied under the lock. Errors: kNotFound.
  core::Result<Entry> Find(std::string_view name) {
    std::lock_guard lock(mu_);
    auto it = index_.find(std::string(name));
    if (it == index_.end()) {
      return core::NotFoundError("no backup object " + path_ + ":" + std::string(name));
    }
    return it->second;
  }

  core::Status Errno(const std::string& what) {
    return core::UnavailableError(what + " " + path_ + ": " + std::strerror(errno));
  }

  bool ReadAt(uint64_t offset, std::string& into) {
    size_t done = 0;
    while (done < into.size()) {
      ssize_t n =
          ::pread(fd_, into.data() + done, into.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // The offset of the next record whose header checks out, or `size`.
  uint64_t FindNextRecord(uint64_t from, uint64_t size) {
    constexpr size_t kWindow = 1 << 20;
    for (uint64_t at = from; at < size;) {
      std::string window(std::min<uint64_t>(kWindow, size - at), '\0');
      if (!ReadAt(at, window)) return size;
      for (size_t i = window.find(kRecordMagic); i != std::string::npos;
           i = window.find(kRecordMagic, i + 1)) {
        uint64_t candidate = at + i;
        std::string fixed(kFixedHeader, '\0');
        if (size - candidate < kFixedHeader || !ReadAt(candidate, fixed)) continue;
        const auto* f = reinterpret_cast<const uint8_t*>(fixed.data());
        uint64_t name_len = GetLe(f + 4, 2), data_len = GetLe(f + 6, 8);
        if (name_len == 0 || name_len > 512 ||
            size - candidate < kFixedHeader + name_len + kHeaderCheck) {
          continue;
        }
        std::string rest(name_len + kHeaderCheck, '\0');
        if (!ReadAt(candidate + kFixedHeader, rest)) continue;
        if (RecordHeader(rest.substr(0, name_len), data_len).substr(kFixedHeader + name_len) ==
            rest.substr(name_len)) {
          return candidate;
        }
      }
      if (window.size() < kWindow) break;
      at += window.size() - (kRecordMagic.size() - 1);
    }
    return size;
  }

  void Damage(uint64_t offset, std::string reason) {
    damaged_ = true;
    problems_.push_back({path_ + " offset " + std::to_string(offset), std::move(reason)});
  }

  const std::string path_;
  const int fd_;
  const bool writable_;
  std::mutex mu_;
  std::map<std::string, Entry> index_;  // GUARDED_BY(mu_)
  uint64_t end_ = 0;                    // GUARDED_BY(mu_)
  bool damaged_ = false;                // GUARDED_BY(mu_)
  std::vector<Problem> problems_;       // GUARDED_BY(mu_)
};

}  // namespace

core::Result<std::unique_ptr<Destination>> OpenArchiveDestination(const std::string& path) {
  bool writable = true;
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0 && (errno == EACCES || errno == EROFS)) {
    writable = false;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      bool ok = ::write(fd, kFileMagic.data(), kFileMagic.size()) ==
                    static_cast<ssize_t>(kFileMagic.size()) &&
                ::fsync(fd) == 0;
      if (!ok) {
        ::close(fd);
        return core::UnavailableError("cannot write " + path + ": " + std::strerror(errno));
      }
    }
  }
  if (fd < 0) {
    return core::UnavailableError("cannot open archive " + path + ": " + std::strerror(errno));
  }
  auto archive = std::make_unique<ArchiveDestination>(path, fd, writable);
  MAMORI_RETURN_IF_ERROR(archive->Scan());
  return std::unique_ptr<Destination>(std::move(archive));
}

core::Result<std::unique_ptr<Destination>> OpenExistingDestination(const std::string& spec) {
  std::string path = spec.starts_with("archive:") ? spec.substr(8)
                     : spec.starts_with("dir:")   ? spec.substr(4)
                                                  : spec;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return core::NotFoundError("no backup at " + spec + "; check the path (archives are named " +
                               "archive:FILE)");
  }
  return OpenDestination(spec);
}

core::Result<std::unique_ptr<Destination>> OpenDestination(const std::string& spec) {
  if (spec.starts_with("archive:")) return OpenArchiveDestination(spec.substr(8));
  if (spec.starts_with("dir:")) return OpenDirectoryDestination(spec.substr(4));
  return OpenDirectoryDestination(spec);
}

}  // namespace mamori::backup

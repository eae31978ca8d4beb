// SPDX-License-Identifier: Apache-2.0
#include "cli/backup_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "backup/repository.h"
#include "cli/master_key.h"
#include "crypto/key_file.h"
#include "store/store.h"

namespace mamori::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kExcluded[][16] = {"mamori.db", "mamori.db-wal", "mamori.db-shm", "mamori.lock"};

bool IsExcluded(const std::string& relative) {
  for (const char* name : kExcluded) {
    if (relative == name) return true;
  }
  return relative.starts_with("backup-tmp");
}

std::string Mib(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

// Every regular file of the data directory but the live database files,
// plus the consistent copy of the database.
core::Result<std::vector<backup::SourceFile>> SourceFiles(const std::string& data_dir,
                                                          const std::string& db_copy) {
  std::vector<backup::SourceFile> files{{"mamori.db", db_copy}};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(data_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string relative = fs::relative(it->path(), data_dir).string();
    if (IsExcluded(relative)) continue;
    files.push_back({relative, it->path().string()});
  }
  if (ec) return core::UnavailableError("cannot list " + data_dir + ": " + ec.message());
  return files;
}

void PrintProgress(uint64_t done, uint64_t total) {
  if (isatty(STDERR_FILENO) == 0 || total == 0) return;
  int width = 30;
  int filled = static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width);
  std::fprintf(stderr, "\r[%-*s] %s / %s", width, std::string(filled, '#').c_str(),
               Mib(done).c_str(), Mib(total).c_str());
  if (done >= total) std::fprintf(stderr, "\n");
}

core::Result<std::string> ReadFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return core::UnavailableError("cannot read " + path);
  std::string bytes;
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) bytes.append(buffer, n);
  std::fclose(f);
  return bytes;
}

}  // namespace

void BackupCommands::Register(CLI::App& app) {
  backup_ = app.add_subcommand("backup", "Encrypted, deduplicated, signed backups");
  backup_->require_subcommand(1);
  create_ = backup_->add_subcommand("create", "Snapshot a data directory (the server may run)");
  create_->add_option("--data-dir", data_dir_, "Data directory")->required();
  create_->add_option("--to", destination_, "Backup destination directory (local disk or NAS)")
      ->required();
  create_->add_option("--passphrase-file", passphrase_file_, "Master key passphrase file");
  list_ = backup_->add_subcommand("list", "List the snapshots of a destination");
  list_->add_option("destination", destination_, "Backup destination directory")->required();
  verify_ = backup_->add_subcommand("verify", "Check every chunk and manifest (no key needed)");
  verify_->add_option("destination", destination_, "Backup destination directory")->required();
  verify_->add_option("--snapshot", snapshot_, "Only this snapshot");
  restore_ = app.add_subcommand("restore", "Restore a snapshot into a new data directory");
  restore_->add_option("--from", destination_, "Backup destination directory")->required();
  restore_->add_option("--snapshot", snapshot_, "Snapshot id (see `mamori backup list`)")
      ->required();
  restore_->add_option("--data-dir", data_dir_, "New data directory (absent or empty)")->required();
  restore_->add_option("--passphrase-file", passphrase_file_,
                       "Passphrase in force when the snapshot was taken");
}

std::optional<core::Status> BackupCommands::Dispatch(const CLI::App& app, core::Env& env) {
  if (restore_ != nullptr && restore_->parsed()) return Restore(env);
  if (backup_ == nullptr || !backup_->parsed()) return std::nullopt;
  (void)app;
  if (create_->parsed()) return Create(env);
  if (list_->parsed()) return List();
  return Verify();
}

core::Status BackupCommands::Create(core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes passphrase,
                          ObtainPassphrase(passphrase_file_, env, "Master key passphrase", false));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek, UnlockMasterKey(data_dir_, passphrase, env));
  MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenDirectoryDestination(destination_));
  auto keys = backup::OpenRepositoryKeys(*dest, kek);
  if (keys.status().code() == core::StatusCode::kNotFound) {
    backup::BackupKeys fresh = backup::BackupKeys::Generate(env.random());
    MAMORI_RETURN_IF_ERROR(backup::InitRepository(*dest, fresh, kek, env));
    keys = std::move(fresh);
  }
  if (!keys.ok()) {
    return core::FailedPreconditionError(
        destination_ + " holds backups made under another master key (" +
        std::string(keys.status().message()) + "); back up into a new destination");
  }
  // The consistent copy lives in the data directory (same file system, same
  // 0700 protection) only until it is chunked; SourceFiles skips it.
  std::string copy = core::JoinPath(data_dir_, "backup-tmp-" + std::to_string(getpid()) + ".db");
  MAMORI_ASSIGN_OR_RETURN(store::CopySummary copied,
                          store::CopyDatabase(core::JoinPath(data_dir_, kDatabaseFile), copy));
  (void)copied;
  auto files = SourceFiles(data_dir_, copy);
  MAMORI_ASSIGN_OR_RETURN(std::string key_file,
                          ReadFile(core::JoinPath(data_dir_, kMasterKeyFile)));
  core::Result<backup::SnapshotSummary> summary =
      files.ok() ? backup::CreateSnapshot(
                       *dest, *keys,
                       {.files = *files, .key_file = key_file, .progress = PrintProgress}, env)
                 : core::Result<backup::SnapshotSummary>(files.status());
  std::error_code ec;
  fs::remove(copy, ec);
  MAMORI_RETURN_IF_ERROR(summary.status());
  std::printf("mamori: snapshot %s: %llu files, %s read, %s new, %s written, %lld ms\n",
              summary->id.c_str(), static_cast<unsigned long long>(summary->files),
              Mib(summary->bytes_read).c_str(), Mib(summary->bytes_new).c_str(),
              Mib(summary->bytes_written).c_str(),
              static_cast<long long>(summary->duration.count()));
  return core::Status::Ok();
}

core::Status BackupCommands::List() {
  MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenDirectoryDestination(destination_));
  MAMORI_ASSIGN_OR_RETURN(std::vector<backup::SnapshotInfo> snapshots,
                          backup::ListSnapshots(*dest));
  for (const backup::SnapshotInfo& s : snapshots) {
    std::printf("%s  %llu files  %s  %s\n", s.id.c_str(), static_cast<unsigned long long>(s.files),
                Mib(s.bytes).c_str(), s.signature_ok ? "signed" : "MANIFEST DOES NOT VERIFY");
  }
  std::printf("mamori: %zu snapshots in %s\n", snapshots.size(), destination_.c_str());
  return core::Status::Ok();
}

core::Status BackupCommands::Verify() {
  MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenDirectoryDestination(destination_));
  std::optional<std::string> only;
  if (!snapshot_.empty()) only = snapshot_;
  MAMORI_ASSIGN_OR_RETURN(backup::VerifyReport report, backup::Verify(*dest, only));
  for (const backup::Problem& p : report.problems) {
    std::printf("BAD %s: %s\n", p.location.c_str(), p.reason.c_str());
  }
  std::printf("mamori: %llu snapshots, %llu chunks (%s) checked, %zu problems\n",
              static_cast<unsigned long long>(report.snapshots),
              static_cast<unsigned long long>(report.chunks_checked),
              Mib(report.bytes_checked).c_str(), report.problems.size());
  if (!report.problems.empty()) {
    return core::DataLossError("the backup at " + destination_ +
                               " is damaged; restore from another snapshot or destination");
  }
  return core::Status::Ok();
}

core::Status BackupCommands::Restore(core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenDirectoryDestination(destination_));
  MAMORI_ASSIGN_OR_RETURN(std::string key_file, backup::SnapshotKeyFile(*dest, snapshot_));
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes passphrase,
      ObtainPassphrase(passphrase_file_, env, "Passphrase of the backed-up installation", false));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek,
                          crypto::OpenKeyFile(key_file, crypto::AsStringView(passphrase)));
  MAMORI_ASSIGN_OR_RETURN(backup::BackupKeys keys, backup::OpenRepositoryKeys(*dest, kek));
  MAMORI_ASSIGN_OR_RETURN(backup::RestoreSummary summary,
                          backup::RestoreSnapshot(*dest, keys, snapshot_, data_dir_, env));
  std::error_code ec;
  fs::permissions(data_dir_, fs::perms::owner_all, ec);
  std::printf("mamori: restored snapshot %s into %s: %llu files, %s, %lld ms\n", snapshot_.c_str(),
              data_dir_.c_str(), static_cast<unsigned long long>(summary.files),
              Mib(summary.bytes).c_str(), static_cast<long long>(summary.duration.count()));
  return core::Status::Ok();
}

}  // namespace mamori::cli

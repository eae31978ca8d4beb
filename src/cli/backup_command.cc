// SPDX-License-Identifier: Apache-2.0
#include "cli/backup_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>

#include "backup/repository.h"
#include "backup/retention.h"
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

// A progress bar on stderr, only on a terminal (logs and pipes get the
// final summary line only).
void PrintProgress(uint64_t done, uint64_t total) {
  if (isatty(STDERR_FILENO) == 0 || total == 0) return;
  int width = 30;
  int filled = static_cast<int>(static_cast<double>(std::min(done, total)) /
                                static_cast<double>(total) * width);
  std::fprintf(stderr, "\r[%-*s] %3d%% %s / %s", width, std::string(filled, '#').c_str(),
               static_cast<int>(100.0 * static_cast<double>(std::min(done, total)) /
                                static_cast<double>(total)),
               Mib(done).c_str(), Mib(total).c_str());
  if (done >= total) std::fprintf(stderr, "\n");
}

void PrintCountProgress(uint64_t done, uint64_t total) {
  if (isatty(STDERR_FILENO) == 0 || total == 0) return;
  int width = 30;
  int filled = static_cast<int>(static_cast<double>(std::min(done, total)) /
                                static_cast<double>(total) * width);
  std::fprintf(stderr, "\r[%-*s] %llu / %llu chunks", width, std::string(filled, '#').c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
  if (done >= total) std::fprintf(stderr, "\n");
}

// Creates `path` with `mode`; refuses to replace an existing file.
core::Status WriteNewFile(const std::string& path, std::string_view bytes, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return core::FailedPreconditionError("cannot create " + path + " (" + std::strerror(errno) +
                                         "); choose a new file name");
  }
  bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return core::UnavailableError("cannot write " + path);
  return core::Status::Ok();
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

// The master key and backup keys a snapshot opens with: the snapshot's own
// key file (the installation's at that time) and the passphrase then in force.
struct Unlocked {
  crypto::AeadKey kek;
  backup::BackupKeys keys;
};

core::Result<Unlocked> UnlockSnapshot(backup::Destination& dest, const std::string& snapshot,
                                      const std::string& passphrase_file, core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(std::string key_file, backup::SnapshotKeyFile(dest, snapshot));
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes passphrase,
      ObtainPassphrase(passphrase_file, env, "Passphrase of the backed-up installation", false));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek,
                          crypto::OpenKeyFile(key_file, crypto::AsStringView(passphrase)));
  MAMORI_ASSIGN_OR_RETURN(backup::BackupKeys keys, backup::OpenRepositoryKeys(dest, kek));
  return Unlocked{.kek = std::move(kek), .keys = std::move(keys)};
}

}  // namespace

void BackupCommands::Register(CLI::App& app) {
  backup_ = app.add_subcommand("backup", "Encrypted, deduplicated, signed backups");
  backup_->require_subcommand(1);
  create_ = backup_->add_subcommand("create", "Snapshot a data directory (the server may run)");
  create_->add_option("--data-dir", data_dir_, "Data directory")->required();
  create_
      ->add_option("--to", destinations_,
                   "Destination: a directory (local disk or NAS), or archive:FILE (one file "
                   "for removable media); repeat for several")
      ->required();
  create_->add_option("--passphrase-file", passphrase_file_, "Master key passphrase file");
  create_->add_option("--admin-public-key", admin_public_key_,
                      "When the destination is new: the public admin key file (from `mamori "
                      "backup admin-key`) whose private half may later prune it");
  admin_key_ = backup_->add_subcommand(
      "admin-key", "Make the key that may prune old generations (keep it offline)");
  admin_key_
      ->add_option("--out", admin_key_file_,
                   "File for the private key (not in the data directory); FILE.pub gets "
                   "the public key")
      ->required();
  prune_ = backup_->add_subcommand("prune", "Remove snapshots outside the retention policy");
  prune_->add_option("destination", destination_, "Backup destination (directory or archive:FILE)")
      ->required();
  prune_->add_option("--admin-key", admin_key_file_, "The private admin key file")->required();
  prune_->add_option("--keep-last", retention_.last, "Newest snapshots to keep")
      ->default_val(retention_.last);
  prune_->add_option("--keep-daily", retention_.daily, "Days to keep the newest snapshot of")
      ->default_val(retention_.daily);
  prune_->add_option("--keep-weekly", retention_.weekly, "ISO weeks to keep one snapshot of")
      ->default_val(retention_.weekly);
  prune_->add_option("--keep-monthly", retention_.monthly, "Months to keep one snapshot of")
      ->default_val(retention_.monthly);
  prune_->add_flag("--dry-run", dry_run_, "Show what would be removed; remove nothing");
  list_ = backup_->add_subcommand("list", "List the snapshots of a destination");
  list_->add_option("destination", destination_, "Backup destination (directory or archive:FILE)")
      ->required();
  verify_ = backup_->add_subcommand("verify", "Check every chunk and manifest (no key needed)");
  verify_->add_option("destination", destination_, "Backup destination (directory or archive:FILE)")
      ->required();
  verify_->add_option("--snapshot", snapshot_, "Only this snapshot");
  restore_ = app.add_subcommand("restore", "Restore a snapshot into a new data directory");
  restore_->add_option("--from", destination_, "Backup destination (directory or archive:FILE)")
      ->required();
  restore_->add_option("--snapshot", snapshot_,
                       "Snapshot id (see `mamori backup list`); a drill defaults to the newest");
  restore_->add_option("--data-dir", data_dir_, "New data directory (absent or empty)");
  restore_->add_flag("--drill", drill_,
                     "Restore into a scratch directory, check every record, record the result "
                     "in the destination, and clean up (GUIDELINE EMG-08)");
  restore_->add_option("--passphrase-file", passphrase_file_,
                       "Passphrase in force when the snapshot was taken");
}

std::optional<core::Status> BackupCommands::Dispatch(const CLI::App& app, core::Env& env) {
  if (restore_ != nullptr && restore_->parsed()) return drill_ ? Drill(env) : Restore(env);
  if (backup_ == nullptr || !backup_->parsed()) return std::nullopt;
  (void)app;
  if (create_->parsed()) return Create(env);
  if (list_->parsed()) return List();
  if (admin_key_->parsed()) return AdminKey(env);
  if (prune_->parsed()) return Prune(env);
  return Verify(env);
}

namespace {

// The repository keys of `dest`, initialising it (with `admin`) if new.
core::Result<backup::BackupKeys> KeysFor(backup::Destination& dest, const crypto::AeadKey& kek,
                                         const std::optional<crypto::VerifyingKey>& admin,
                                         core::Env& env) {
  auto keys = backup::OpenRepositoryKeys(dest, kek);
  if (keys.status().code() == core::StatusCode::kNotFound) {
    backup::BackupKeys fresh = backup::BackupKeys::Generate(env.random());
    MAMORI_RETURN_IF_ERROR(backup::InitRepository(dest, fresh, kek, env, admin));
    return fresh;
  }
  // An old repository format says so itself (backup/repository.h).
  if (keys.status().code() == core::StatusCode::kFailedPrecondition) return keys.status();
  if (!keys.ok()) {
    return core::FailedPreconditionError(
        dest.Describe() + " holds backups made under another master key (" +
        std::string(keys.status().message()) + "); back up into a new destination");
  }
  return keys;
}

}  // namespace

core::Result<std::vector<BackupOutcome>> BackupDataDirectory(const BackupRunOptions& options,
                                                             core::Env& env) {
  // The consistent copy lives in the data directory (same file system, same
  // 0700 protection) only until it is chunked; SourceFiles skips it.
  static std::atomic<int> run{0};
  std::string copy = core::JoinPath(options.data_dir, "backup-tmp-" + std::to_string(getpid()) +
                                                          "-" + std::to_string(run++) + ".db");
  MAMORI_ASSIGN_OR_RETURN(std::string location,
                          StoreLocation(options.data_dir, core::FileSystem::Posix()));
  // Unlocking the master key (CPU) and copying the database (mostly I/O)
  // need nothing from each other: overlap them.
  std::future<core::Result<crypto::AeadKey>> unlocking;
  if (options.kek == nullptr) {
    if (!options.unlock) return core::InternalError("backup needs the master key");
    unlocking = std::async(std::launch::async, options.unlock);
  }
  auto copied = store::CopyDatabase(location, copy);
  std::optional<core::Result<crypto::AeadKey>> unlocked;
  if (unlocking.valid()) unlocked = unlocking.get();
  std::error_code ec;
  if (!copied.ok()) return copied.status();
  if (unlocked && !unlocked->ok()) {
    fs::remove(copy, ec);
    return unlocked->status();
  }
  const crypto::AeadKey* kek = unlocked ? &**unlocked : options.kek;
  std::vector<BackupOutcome> outcomes;
  auto files = SourceFiles(options.data_dir, copy);
  auto key_file = ReadFile(core::JoinPath(options.data_dir, kMasterKeyFile));
  for (const std::string& spec : options.destinations) {
    auto summary = [&]() -> core::Result<backup::SnapshotSummary> {
      MAMORI_RETURN_IF_ERROR(files.status());
      MAMORI_RETURN_IF_ERROR(key_file.status());
      MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenDestination(spec));
      MAMORI_ASSIGN_OR_RETURN(backup::BackupKeys keys, KeysFor(*dest, *kek, options.admin, env));
      return backup::CreateSnapshot(
          *dest, keys, {.files = *files, .key_file = *key_file, .progress = options.progress}, env);
    }();
    BackupOutcome outcome{.destination = spec, .summary = std::move(summary)};
    outcomes.push_back(std::move(outcome));
  }
  fs::remove(copy, ec);
  return outcomes;
}

core::Status BackupCommands::Create(core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes passphrase,
                          ObtainPassphrase(passphrase_file_, env, "Master key passphrase", false));
  std::optional<crypto::VerifyingKey> admin;
  if (!admin_public_key_.empty()) {
    MAMORI_ASSIGN_OR_RETURN(std::string pem, ReadFile(admin_public_key_));
    auto parsed = crypto::VerifyingKey::FromPem(pem);
    if (!parsed.ok()) {
      return core::InvalidArgumentError(admin_public_key_ +
                                        " is not a public admin key; make one with `mamori "
                                        "backup admin-key --out FILE` and pass FILE.pub");
    }
    admin = *parsed;
  } else {
    for (const std::string& spec : destinations_) {
      MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenDestination(spec));
      MAMORI_ASSIGN_OR_RETURN(bool exists, dest->Exists("config"));
      if (!exists) {
        std::fprintf(stderr,
                     "mamori: note: %s is created without an admin key and can never be pruned "
                     "(--admin-public-key)\n",
                     spec.c_str());
      }
    }
  }
  MAMORI_ASSIGN_OR_RETURN(
      std::vector<BackupOutcome> outcomes,
      BackupDataDirectory({.data_dir = data_dir_,
                           .unlock = [&] { return UnlockMasterKey(data_dir_, passphrase, env); },
                           .destinations = destinations_,
                           .admin = admin,
                           .progress = PrintProgress},
                          env));
  core::Status first_error;
  for (const BackupOutcome& o : outcomes) {
    if (!o.summary.ok()) {
      std::string line =
          "backup into " + o.destination + " failed: " + std::string(o.summary.status().message());
      // One destination: its error is the command's one line (printed once).
      if (outcomes.size() == 1) return core::Status(o.summary.status().code(), line);
      std::fprintf(stderr, "mamori: %s\n", line.c_str());
      if (first_error.ok()) first_error = o.summary.status();
      continue;
    }
    const backup::SnapshotSummary& summary = *o.summary;
    std::printf("mamori: snapshot %s in %s: %llu files, %s read, %s new, %s written, %lld ms\n",
                summary.id.c_str(), o.destination.c_str(),
                static_cast<unsigned long long>(summary.files), Mib(summary.bytes_read).c_str(),
                Mib(summary.bytes_new).c_str(), Mib(summary.bytes_written).c_str(),
                static_cast<long long>(summary.duration.count()));
  }
  if (!first_error.ok() && outcomes.size() > 1) {
    return core::Status(first_error.code(),
                        "a backup failed (above); the other destinations hold their snapshots");
  }
  return first_error;
}

core::Status BackupCommands::List() {
  MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenExistingDestination(destination_));
  MAMORI_ASSIGN_OR_RETURN(std::vector<backup::SnapshotInfo> snapshots,
                          backup::ListSnapshots(*dest));
  for (const backup::SnapshotInfo& s : snapshots) {
    std::printf("%s  %llu files  %s  %s\n", s.id.c_str(), static_cast<unsigned long long>(s.files),
                Mib(s.bytes).c_str(), s.signature_ok ? "signed" : "MANIFEST DOES NOT VERIFY");
  }
  std::printf("mamori: %zu snapshots in %s\n", snapshots.size(), destination_.c_str());
  MAMORI_ASSIGN_OR_RETURN(std::vector<backup::DrillRecord> drills, backup::ListDrills(*dest));
  if (drills.empty()) {
    std::printf("mamori: no restore drill recorded yet (mamori restore --drill)\n");
  } else {
    const backup::DrillRecord& last = drills.back();
    std::printf("mamori: last restore drill: snapshot %s %s, %llu record versions checked\n",
                last.snapshot.c_str(), last.passed ? "passed" : "FAILED",
                static_cast<unsigned long long>(last.versions_total));
  }
  return core::Status::Ok();
}

core::Status BackupCommands::Verify(core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenExistingDestination(destination_));
  std::optional<std::string> only;
  if (!snapshot_.empty()) only = snapshot_;
  auto started = env.clock().Monotonic();
  MAMORI_ASSIGN_OR_RETURN(backup::VerifyReport report,
                          backup::Verify(*dest, only, PrintCountProgress));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(env.clock().Monotonic() - started)
                .count();
  for (const backup::Problem& p : report.problems) {
    std::printf("BAD %s: %s\n", p.location.c_str(), p.reason.c_str());
  }
  std::printf("mamori: %llu snapshots, %llu chunks (%s) checked, %zu problems, %lld ms\n",
              static_cast<unsigned long long>(report.snapshots),
              static_cast<unsigned long long>(report.chunks_checked),
              Mib(report.bytes_checked).c_str(), report.problems.size(),
              static_cast<long long>(ms));
  if (!report.problems.empty()) {
    return core::DataLossError("the backup at " + destination_ +
                               " is damaged; restore from another snapshot or destination");
  }
  return core::Status::Ok();
}

core::Status BackupCommands::Restore(core::Env& env) {
  if (data_dir_.empty() || snapshot_.empty()) {
    return core::InvalidArgumentError("restore needs --snapshot ID and --data-dir NEWDIR");
  }
  MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenExistingDestination(destination_));
  MAMORI_ASSIGN_OR_RETURN(Unlocked unlocked,
                          UnlockSnapshot(*dest, snapshot_, passphrase_file_, env));
  MAMORI_ASSIGN_OR_RETURN(
      backup::RestoreSummary summary,
      backup::RestoreSnapshot(*dest, unlocked.keys, snapshot_, data_dir_, env, PrintProgress));
  std::error_code ec;
  fs::permissions(data_dir_, fs::perms::owner_all, ec);
  std::printf("mamori: restored snapshot %s into %s: %llu files, %s, %lld ms\n", snapshot_.c_str(),
              data_dir_.c_str(), static_cast<unsigned long long>(summary.files),
              Mib(summary.bytes).c_str(), static_cast<long long>(summary.duration.count()));
  return core::Status::Ok();
}

core::Status BackupCommands::AdminKey(core::Env& env) {
  backup::AdminKey admin = backup::AdminKey::Generate(env.random());
  crypto::SecureBytes pem = admin.key.ToPem();
  MAMORI_RETURN_IF_ERROR(WriteNewFile(admin_key_file_, crypto::AsStringView(pem), 0600));
  MAMORI_RETURN_IF_ERROR(
      WriteNewFile(admin_key_file_ + ".pub", admin.key.PublicKey().ToPem(), 0644));
  std::printf(
      "mamori: admin key written to %s (keep it offline, not on this server) and its public "
      "half to %s.pub (pass it to `backup create --admin-public-key` for a new destination)\n",
      admin_key_file_.c_str(), admin_key_file_.c_str());
  return core::Status::Ok();
}

core::Status BackupCommands::Prune(core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(std::string pem, ReadFile(admin_key_file_));
  auto admin = backup::AdminKey::FromPem(pem);
  if (!admin.ok()) {
    return core::InvalidArgumentError(admin_key_file_ +
                                      " is not a private admin key (from `mamori backup "
                                      "admin-key`); nothing was removed");
  }
  if (destination_.starts_with("archive:")) {
    return core::FailedPreconditionError(
        "an archive is append-only and cannot be pruned; retire the medium instead");
  }
  MAMORI_ASSIGN_OR_RETURN(
      auto dest, backup::OpenDirectoryDestinationForPrune(
                     destination_.starts_with("dir:") ? destination_.substr(4) : destination_));
  MAMORI_ASSIGN_OR_RETURN(backup::PruneReport report,
                          backup::Prune(*dest, *admin, retention_, dry_run_, env));
  for (const std::string& id : report.removed) {
    std::printf("%s %s\n", dry_run_ ? "would remove" : "removed", id.c_str());
  }
  std::printf("mamori: %zu snapshots kept, %zu %s, %llu packs (%llu chunks) %s\n",
              report.kept.size(), report.removed.size(), dry_run_ ? "to remove" : "removed",
              static_cast<unsigned long long>(report.packs_removed),
              static_cast<unsigned long long>(report.chunks_removed),
              dry_run_ ? "to remove" : "removed");
  if (report.chunks_kept_unreferenced > 0) {
    std::printf(
        "mamori: %llu chunks (%.1f MiB) that only pruned snapshots used stay in packs that kept "
        "snapshots still use (repacking is not built yet)\n",
        static_cast<unsigned long long>(report.chunks_kept_unreferenced),
        static_cast<double>(report.bytes_kept_unreferenced) / (1 << 20));
  }
  return core::Status::Ok();
}

namespace {

// Opens every version of every record in the restored store: each body's
// AES-GCM tag and AAD are checked, so a silently wrong restore cannot pass.
core::Result<uint64_t> CheckEveryVersion(const std::string& data_dir, const crypto::AeadKey& kek,
                                         core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(
      auto store,
      store::OpenStore({.path = core::JoinPath(data_dir, kDatabaseFile), .kek = &kek}, env));
  uint64_t versions = 0;
  store::HistoryQuery query{.limit = 1000};
  while (true) {
    MAMORI_ASSIGN_OR_RETURN(store::HistoryPage page, store->History(query));
    versions += page.versions.size();
    if (page.next_before_sequence == 0) break;
    query.before_sequence = page.next_before_sequence;
  }
  return versions;
}

}  // namespace

core::Status BackupCommands::Drill(core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenExistingDestination(destination_));
  if (snapshot_.empty()) {
    MAMORI_ASSIGN_OR_RETURN(auto snapshots, backup::ListSnapshots(*dest));
    for (const backup::SnapshotInfo& s : snapshots) {
      if (s.signature_ok) snapshot_ = s.id;
    }
    if (snapshot_.empty()) return core::NotFoundError("no verified snapshot in " + destination_);
  }
  MAMORI_ASSIGN_OR_RETURN(Unlocked unlocked,
                          UnlockSnapshot(*dest, snapshot_, passphrase_file_, env));
  const crypto::AeadKey& kek = unlocked.kek;
  const backup::BackupKeys& keys = unlocked.keys;
  std::string scratch =
      (fs::temp_directory_path() / ("mamori-drill-" + std::to_string(getpid()))).string();
  backup::DrillRecord record{.snapshot = snapshot_,
                             .started_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                               env.clock().Now().time_since_epoch())
                                               .count()};
  auto restored = backup::RestoreSnapshot(*dest, keys, snapshot_, scratch, env);
  if (restored.ok()) {
    record.restore_duration = restored->duration;
    auto started = env.clock().Monotonic();
    auto versions = CheckEveryVersion(scratch, kek, env);
    record.check_duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(env.clock().Monotonic() - started);
    record.passed = versions.ok();
    record.versions_total = versions.ok() ? *versions : 0;
    record.resources_checked = record.versions_total;
    if (!versions.ok()) record.detail = std::string(versions.status().message());
  } else {
    record.detail = std::string(restored.status().message());
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  MAMORI_RETURN_IF_ERROR(backup::RecordDrill(*dest, keys, record, env));
  std::printf(
      "mamori: restore drill of %s %s: restore %lld ms, %llu record versions checked in "
      "%lld ms%s%s\n",
      snapshot_.c_str(), record.passed ? "PASSED" : "FAILED",
      static_cast<long long>(record.restore_duration.count()),
      static_cast<unsigned long long>(record.versions_total),
      static_cast<long long>(record.check_duration.count()), record.detail.empty() ? "" : ": ",
      record.detail.c_str());
  if (!record.passed) {
    return core::DataLossError("the restore drill failed; the result is recorded in " +
                               destination_);
  }
  return core::Status::Ok();
}

}  // namespace mamori::cli

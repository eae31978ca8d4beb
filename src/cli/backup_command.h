// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori backup create|list|verify` and `mamori restore` (issue 8):
//
//   mamori backup create --data-dir DIR --to DEST [--to archive:FILE ...]
//                                                     snapshot a data directory, live or stopped
//   mamori backup list DEST                           snapshots, oldest first, with their state
//   mamori backup verify DEST [--snapshot ID]         every chunk and manifest, no key needed
//   mamori backup admin-key --out FILE                the key that may prune (keep it offline)
//   mamori backup prune DEST --admin-key FILE [--keep-daily 7 --keep-weekly 4
//                      --keep-monthly 12 --keep-last 1] [--dry-run]
//   mamori restore --from DEST --snapshot ID --data-dir NEWDIR
//   mamori restore --drill --from DEST [--snapshot ID]   restore into a scratch directory,
//                                                        open every record version, record the
//                                                        result in DEST, clean up
//
// `create` copies the database with SQLite's online backup (a server may keep
// running), then stores it and every other file of the data directory as
// encrypted, deduplicated chunks under a signed manifest (backup/repository.h).
// `restore` needs only the backup and the passphrase that was in force when
// the snapshot was taken: the snapshot carries the wrapped master key file.
// Each prints a final summary line; `verify` prints every problem with its
// location and exits 1 when there is any.
//
// Thread-safety: one command per process.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "backup/repository.h"
#include "backup/retention.h"
#include "core/env.h"
#include "core/status.h"
#include "crypto/aead.h"
#include "crypto/signature.h"

namespace mamori::cli {

struct BackupRunOptions {
  std::string data_dir;
  const crypto::AeadKey* kek = nullptr;  // the installation's master key
  // If `kek` is null: obtains it (the CLI's passphrase unlock, Argon2id, a
  // second or two) on another thread while the database is copied.
  std::function<core::Result<crypto::AeadKey>()> unlock;
  // Directories or "archive:FILE" (backup::OpenDestination).
  std::vector<std::string> destinations;
  // Written into destinations created now: the key that may prune them.
  std::optional<crypto::VerifyingKey> admin;
  std::function<void(uint64_t, uint64_t)> progress;
};
struct BackupOutcome {
  std::string destination;
  core::Result<backup::SnapshotSummary> summary;
};
// Copies the database once (SQLite online backup; a server may be running),
// then snapshots it and the data directory's other files into each
// destination in turn. Errors: only if the copy cannot be made; a failure of
// one destination is in its outcome.
core::Result<std::vector<BackupOutcome>> BackupDataDirectory(const BackupRunOptions& options,
                                                             core::Env& env);

class BackupCommands {
 public:
  // Adds `backup` and `restore` to `app`.
  void Register(CLI::App& app);
  // Runs the command if one of ours was given; nullopt otherwise.
  std::optional<core::Status> Dispatch(const CLI::App& app, core::Env& env);

 private:
  core::Status Create(core::Env& env);
  core::Status List();
  core::Status Verify(core::Env& env);
  core::Status Restore(core::Env& env);
  core::Status Drill(core::Env& env);
  core::Status AdminKey(core::Env& env);
  core::Status Prune(core::Env& env);

  CLI::App* backup_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* verify_ = nullptr;
  CLI::App* restore_ = nullptr;
  CLI::App* admin_key_ = nullptr;
  CLI::App* prune_ = nullptr;
  std::string admin_key_file_;
  std::string admin_public_key_;
  backup::RetentionPolicy retention_;
  bool dry_run_ = false;
  std::string data_dir_;
  std::string destination_;
  std::vector<std::string> destinations_;
  std::string snapshot_;
  std::string passphrase_file_;
  bool drill_ = false;
};

}  // namespace mamori::cli

// SPDX-License-Identifier: Apache-2.0
#pragma once

// Backups taken by `serve` on a schedule (issue 8; GUIDELINE SYS-58, EMG-03):
// config.toml's [backup] schedule and destinations. Each run copies the
// database once (SQLite online backup; requests keep being served) and
// snapshots it into every destination; the result for each destination —
// snapshot id, or failure and a coarse reason — is appended to the audit
// ledger as an event with action "backup" (method "SCHEDULE", route the
// destination, resource Snapshot/<id>), so a missed or failed backup is
// evidence in the same tamper-evident log as every request.
//
//   ScheduledBackups backups(schedule, {.data_dir = dir, .kek = &kek,
//                                       .destinations = config.backup.destinations},
//                            *store, env);
//   backups.Start();   // a thread; Stop() (or the destructor) ends it
//
// Time comes from env.clock(): a test drives RunIfDue with a SimulatedClock.
// Thread-safety: RunIfDue runs one backup at a time; Start/Stop from one thread.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "backup/schedule.h"
#include "cli/backup_command.h"
#include "core/env.h"
#include "store/store.h"

namespace mamori::cli {

class ScheduledBackups {
 public:
  // Borrows `store` and `env`; options.kek must outlive this.
  ScheduledBackups(backup::Schedule schedule, BackupRunOptions options, store::Store& store,
                   core::Env& env);
  ~ScheduledBackups();

  // If the next scheduled time has come, runs the backup into every
  // destination and records each result in the ledger; returns whether it
  // ran. Missed times are not caught up one by one: one run, then the next
  // time after now.
  bool RunIfDue();
  core::Clock::WallTime next() const;

  void Start();
  void Stop();

 private:
  void Record(const BackupOutcome& outcome);

  const backup::Schedule schedule_;
  const BackupRunOptions options_;
  store::Store& store_;
  core::Env& env_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  core::Clock::WallTime next_;  // GUARDED_BY(mu_)
  bool stop_ = false;           // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace mamori::cli

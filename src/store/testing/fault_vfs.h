// SPDX-License-Identifier: Apache-2.0
#pragma once

// A SQLite VFS for failure tests (STYLE.md rule 15): it forwards to the
// default VFS and, when told, fails fsync or reports a full disk. A failed
// fsync also undoes every write since the file's last successful sync, which
// is what the kernel may do to dirty pages after an fsync error followed by a
// crash; so after a failed commit a reopened database shows exactly what was
// durable before it.
//
//   store::testing::FaultVfs& vfs = store::testing::FaultVfs::Get();  // registers "mamori_fault"
//   options.vfs_name_for_test = vfs.name();
//   vfs.FailNextSyncs(1);   // the next fsync fails with SQLITE_IOERR_FSYNC
//   vfs.SetDiskFull(true);  // writes fail with SQLITE_FULL
//   vfs.Reset();
//
// Thread-safety: the controls are atomics; set them between operations.

#include <atomic>
#include <string>

namespace mamori::store::testing {

class FaultVfs {
 public:
  static FaultVfs& Get();
  const char* name() const { return "mamori_fault"; }

  // The next `n` syncs fail (and undo the file's unsynced writes).
  void FailNextSyncs(int n) { fail_syncs_.store(n); }
  // While set, every write fails with SQLITE_FULL before touching the file.
  void SetDiskFull(bool full) { disk_full_.store(full); }
  void Reset() {
    fail_syncs_.store(0);
    disk_full_.store(false);
  }
  // How many syncs succeeded since the process started (to see fsyncs happen).
  int successful_syncs() const { return successful_syncs_.load(); }

  // Used by the VFS callbacks.
  bool TakeSyncFailure();
  bool disk_full() const { return disk_full_.load(); }
  void CountSync() { successful_syncs_.fetch_add(1); }

 private:
  FaultVfs() = default;
  std::atomic<int> fail_syncs_{0};
  std::atomic<bool> disk_full_{false};
  std::atomic<int> successful_syncs_{0};
};

}  // namespace mamori::store::testing

// SPDX-License-Identifier: Apache-2.0
#pragma once

// backup::Prune: removing old generations (issue 8; GUIDELINE SYS-58, EMG-03).
//
// The serving process and `mamori backup create` hold a Destination, which
// can only add objects. Removing snapshots takes a PrunableDestination, which
// only OpenDirectoryDestinationForPrune hands out, and the repository's admin
// key: an Ed25519 key made by `mamori backup admin-key`, kept offline by the
// administrator (never in the data directory), whose public half is written
// into the repository's `config` when the repository is created. Prune
// refuses any other key before it touches anything.
//
// Retention keeps, like restic's --keep-daily/weekly/monthly, the newest
// snapshot of each of the last `daily` days, `weekly` ISO weeks (Monday to
// Sunday) and `monthly` months that have snapshots (UTC), plus the newest
// `last` snapshots. Only snapshots whose manifest verifies count and only
// those are ever removed; a pack (backup/repository.h) goes with them when no
// kept snapshot references any chunk in it. Chunks of removed snapshots in a
// pack that is still needed stay (PruneReport counts their bytes); repacking
// them is not built yet. Every prune leaves a record signed with the admin key under
// `prunes/`, so a snapshot that vanished without one was not pruned by mamori.
//
//   MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenDirectoryDestinationForPrune("/mnt/nas/m"));
//   MAMORI_ASSIGN_OR_RETURN(backup::AdminKey admin, backup::AdminKey::FromPem(pem));
//   MAMORI_ASSIGN_OR_RETURN(backup::PruneReport r,
//                           backup::Prune(*dest, admin, {.daily = 7}, /*dry_run=*/false, env));
//
// Thread-safety: run Prune when no backup writes to the destination (a backup
// running alongside could reuse a chunk that Prune removes; `backup verify`
// would then report it missing).

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "backup/destination.h"
#include "backup/keys.h"
#include "backup/repository.h"
#include "core/env.h"
#include "core/status.h"

namespace mamori::backup {

struct RetentionPolicy {
  int last = 1;
  int daily = 7;
  int weekly = 4;
  int monthly = 12;
};

// The ids of the snapshots `policy` keeps (only those with signature_ok are
// considered).
std::set<std::string> RetainedSnapshots(const std::vector<SnapshotInfo>& snapshots,
                                        const RetentionPolicy& policy);

struct PruneReport {
  std::vector<std::string> kept;     // snapshot ids, oldest first
  std::vector<std::string> removed;  // snapshot ids, oldest first
  // Removed (or, for a dry run, that would be removed): packs no kept
  // snapshot references, and the chunks in them.
  uint64_t packs_removed = 0;
  uint64_t chunks_removed = 0;
  // Chunks only removed snapshots referenced that stay because they share a
  // pack with a chunk a kept snapshot needs (repacking is not built yet).
  uint64_t chunks_kept_unreferenced = 0;
  uint64_t bytes_kept_unreferenced = 0;  // their stored bytes
};

// Errors: kPermissionDenied (not the repository's admin key, or the
// repository has none: it was created without one and cannot be pruned);
// kFailedPrecondition (a manifest does not verify: run `backup verify`, as
// pruning could then remove chunks it still needs); kUnavailable. Nothing is
// removed when it fails before the first removal.
core::Result<PruneReport> Prune(PrunableDestination& dest, const AdminKey& admin,
                                const RetentionPolicy& policy, bool dry_run, core::Env& env);

}  // namespace mamori::backup

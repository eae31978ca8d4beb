// SPDX-License-Identifier: Apache-2.0
#pragma once

// backup::Repository: encrypted, deduplicated, signed snapshots in a
// Destination (issue 8; GUIDELINE SYS-58, SYS-62, EMG-03, EMG-04).
//
// Layout inside the destination:
//   config                     written once: format (mamori-backup/2),
//                              repository id, the manifest public key, the
//                              backup keys wrapped by the KEK
//   packs/ab/<64 hex>          a pack: the sealed blobs of many chunks, one
//                              after another (~16 MiB); each blob is
//                              AEAD(zstd(bytes)) with the chunk id as AAD,
//                              the id HMAC(chunk_id key, bytes); random name,
//                              written once, never rewritten
//   snapshots/<id>.manifest    JSON lines: header, one line per file with its
//                              chunks (id, size, SHA-256 of the stored blob,
//                              pack, offset, length: the pack index), an
//                              explicit final record, then the Ed25519
//                              signature over everything before it
//
// Every chunk reference in a manifest carries the SHA-256 of its stored blob
// and where the blob is, so `Verify` checks the whole repository — every
// chunk of every snapshot, and every manifest signature — without any key,
// the way the audit ledger can be checked without its key. A truncated
// manifest lacks its final record and signature; a flipped bit in a pack
// changes one blob's hash; a deleted or cut-short pack leaves its blobs
// missing. Each is reported with its location (pack, offset, chunk id).
// Restore needs the keys, checks every chunk's tag and content id, and
// refuses to write anything it could not check (no silently wrong data).
// A mamori-backup/1 repository (before packs: one object chunks/ab/<id> per
// chunk, chunk entries without pack, offset, length) is still read by
// ListSnapshots, Verify (locations "chunks/ab/<id>"), SnapshotKeyFile and
// RestoreSnapshot; CreateSnapshot and Prune refuse it (kFailedPrecondition,
// saying to back up to a new destination) before writing anything.
//
// The manifest header also carries the data directory's passphrase-wrapped
// master key file, so a restore on a new machine needs only the backup and
// the passphrase.
//
//   MAMORI_RETURN_IF_ERROR(backup::InitRepository(*dest, keys, kek, env));
//   MAMORI_ASSIGN_OR_RETURN(backup::SnapshotSummary s, backup::CreateSnapshot(*dest, keys,
//       {.files = {{"mamori.db", db_copy}, {"keys/master.key", key_path}}}, env));
//   MAMORI_ASSIGN_OR_RETURN(backup::VerifyReport r, backup::Verify(*dest, std::nullopt));
//
// Thread-safety: one writer per destination at a time (the serving process's
// schedule or the CLI); Verify and List may run alongside.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backup/chunker.h"
#include "backup/destination.h"
#include "backup/keys.h"
#include "core/env.h"
#include "core/status.h"

namespace mamori::backup {

// Writes the `config` object, with the public half of the admin key that may
// prune (backup/retention.h) if given; without one the repository can never
// be pruned. If a config exists, it must be this installation's (same
// manifest key); kFailedPrecondition otherwise. The config is never rewritten.
core::Status InitRepository(Destination& dest, const BackupKeys& keys, const crypto::AeadKey& kek,
                            core::Env& env,
                            const std::optional<crypto::VerifyingKey>& admin = std::nullopt);

// The repository's keys, unwrapped from its config with `kek`.
// Errors: kNotFound without a config; kDataLoss for another KEK.
core::Result<BackupKeys> OpenRepositoryKeys(Destination& dest, const crypto::AeadKey& kek);

struct SourceFile {
  std::string name;  // inside the snapshot, e.g. "mamori.db"
  std::string path;  // on disk
};

struct SnapshotOptions {
  std::vector<SourceFile> files;
  // The passphrase-wrapped master key file (its bytes), carried in the header.
  std::string key_file;
  ChunkerParams chunker;
  // New chunks go into pack objects of about this many stored bytes (one
  // write and one fsync each); tests use small packs.
  size_t pack_size = 16 << 20;
  // Called now and then with (bytes read so far, bytes in all files).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct SnapshotSummary {
  std::string id;
  uint64_t files = 0;
  uint64_t bytes_read = 0;     // plaintext read from the sources
  uint64_t bytes_new = 0;      // plaintext of chunks the repository lacked
  uint64_t bytes_written = 0;  // stored bytes written (compressed, encrypted, manifest)
  uint64_t chunks = 0;
  uint64_t chunks_new = 0;
  uint64_t packs_new = 0;
  std::chrono::milliseconds duration{0};
};

core::Result<SnapshotSummary> CreateSnapshot(Destination& dest, const BackupKeys& keys,
                                             const SnapshotOptions& options, core::Env& env);

struct SnapshotInfo {
  std::string id;
  int64_t created_us = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
  bool signature_ok = false;
};
// Every snapshot, oldest first, with whether its manifest verifies.
core::Result<std::vector<SnapshotInfo>> ListSnapshots(Destination& dest);

struct VerifyReport {
  uint64_t snapshots = 0;
  uint64_t chunks_checked = 0;
  uint64_t bytes_checked = 0;
  std::vector<Problem> problems;
};
// Checks every manifest (or one) and every chunk it references, with no key,
// and the destination's own container (Destination::CheckContainer: an
// archive's cut-short tail or damaged records).
// `progress` (optional) is called now and then with (chunks checked, chunks referenced).
core::Result<VerifyReport> Verify(Destination& dest, const std::optional<std::string>& snapshot,
                                  const std::function<void(uint64_t, uint64_t)>& progress = {});

// The master key file carried by a snapshot (to unlock the KEK for restore).
core::Result<std::string> SnapshotKeyFile(Destination& dest, const std::string& snapshot);

struct RestoreSummary {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::chrono::milliseconds duration{0};
};
// Writes every file of `snapshot` under `target_dir` (which must be empty or
// absent). Each file is written to a temporary name and renamed only once
// all its chunks checked out. Errors: kDataLoss naming the bad chunk.
// `progress` (optional) is called now and then with (bytes written, bytes in all files).
core::Result<RestoreSummary> RestoreSnapshot(
    Destination& dest, const BackupKeys& keys, const std::string& snapshot,
    const std::string& target_dir, core::Env& env,
    const std::function<void(uint64_t, uint64_t)>& progress = {});

// A restore drill's result (GUIDELINE EMG-08, EMG-07: drill the restore and
// record it), kept in the destination beside the snapshots it tested, signed
// with the manifest key so the evidence cannot be edited unnoticed.
struct DrillRecord {
  std::string snapshot;
  int64_t started_us = 0;
  std::chrono::milliseconds restore_duration{0};
  std::chrono::milliseconds check_duration{0};
  uint64_t resources_checked = 0;
  uint64_t versions_total = 0;
  bool passed = false;
  std::string detail;  // what failed, or "" (no patient data)
};
core::Status RecordDrill(Destination& dest, const BackupKeys& keys, const DrillRecord& drill,
                         core::Env& env);
// Every drill record whose signature verifies, oldest first.
core::Result<std::vector<DrillRecord>> ListDrills(Destination& dest);

}  // namespace mamori::backup

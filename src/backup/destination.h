// SPDX-License-Identifier: Apache-2.0
#pragma once

// backup::Destination: where backup objects go (STYLE.md rule 4: one
// interface, several backends). The interface the serving process gets can
// only add objects: PutNew refuses to replace an existing name, and there is
// no delete. Removing old generations is Pruner's, which needs the
// administrator's prune key that is not kept in the data directory
// (docs/BACKUP.md has the threat model).
//
// Backends: a directory (local disk or a mounted NAS; objects are written to
// a temporary name, fsynced, hard-linked into place — which fails if the name
// exists — and made read-only); an offline archive, one append-only file for
// removable media; and, later, S3 with Object Lock.
//
//   MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenDirectoryDestination("/mnt/nas/mamori"));
//   MAMORI_RETURN_IF_ERROR(dest->PutNew("packs/ab/abcd...", bytes));
//
// Thread-safety: implementations must allow concurrent calls.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace mamori::backup {

// Something wrong in a backup, with where it is.
struct Problem {
  // "snapshot S file mamori.db chunk 3 (offset 3145728): packs/ab/<pack> offset 196608
  // length 40321 chunk <id>"
  std::string location;
  std::string reason;  // "missing", "content changed", "signature does not verify", ...
};

class Destination {
 public:
  virtual ~Destination() = default;
  // Stores `bytes` under `name` durably. Errors: kAlreadyExists if the name
  // exists (never overwritten); kUnavailable for I/O errors.
  virtual core::Status PutNew(std::string_view name, std::string_view bytes) = 0;
  // Like PutNew, for many objects in a row (packs): the bytes are durable
  // before the name appears, but the name itself may only be durable after
  // the next Flush(). A backup calls Flush() before it writes its manifest.
  virtual core::Status PutNewUnflushed(std::string_view name, std::string_view bytes) {
    return PutNew(name, bytes);
  }
  // Makes every object put so far durable, names included.
  virtual core::Status Flush() { return core::Status::Ok(); }
  // Errors: kNotFound; kUnavailable.
  virtual core::Result<std::string> Get(std::string_view name) = 0;
  // Bytes [offset, offset + length) of an object (one blob of a pack).
  // Errors: kNotFound; kDataLoss if the object is shorter (cut short); kUnavailable.
  virtual core::Result<std::string> GetRange(std::string_view name, uint64_t offset,
                                             uint64_t length) {
    MAMORI_ASSIGN_OR_RETURN(std::string bytes, Get(name));
    if (offset > bytes.size() || length > bytes.size() - offset) {
      return core::DataLossError("backup object " + std::string(name) + " is shorter (" +
                                 std::to_string(bytes.size()) + " bytes)");
    }
    return bytes.substr(offset, length);
  }
  virtual core::Result<bool> Exists(std::string_view name) = 0;
  // Names under `prefix` ("snapshots/"), sorted.
  virtual core::Result<std::vector<std::string>> List(std::string_view prefix) = 0;
  // Where it is, for messages ("/mnt/nas/mamori").
  virtual std::string Describe() const = 0;
  // Damage to the container itself, found without any key (an archive file
  // cut short, a record whose checksum fails). A directory has none.
  virtual std::vector<Problem> CheckContainer() { return {}; }
};

// A destination objects can be removed from: only for pruning with the
// admin key (backup/retention.h). The serving process never gets one.
class PrunableDestination : public Destination {
 public:
  // Errors: kNotFound; kUnavailable.
  virtual core::Status Remove(std::string_view name) = 0;
};

// A directory; created (0700) if missing. Names are relative paths of
// [a-z0-9._/-]; anything else (.., absolute paths) is kInvalidArgument.
core::Result<std::unique_ptr<Destination>> OpenDirectoryDestination(const std::string& root);
// The same directory, for Prune. Errors: kNotFound if it does not exist.
core::Result<std::unique_ptr<PrunableDestination>> OpenDirectoryDestinationForPrune(
    const std::string& root);

// An offline archive: one self-contained, append-only file (created 0600 if
// absent) for removable media. Layout:
//   "MAMORI-ARCHIVE/1\n"
//   records: "MREC" | name length (u16 LE) | data length (u64 LE) | name |
//            first 8 bytes of SHA-256(everything before in this record's
//            header) | data | SHA-256(name | data)
// PutNew appends a record and fsyncs; a name is never written twice. Opening
// scans every record; CheckContainer reports a record cut short (the file
// was truncated), a damaged header (bytes skipped up to the next readable
// record), a record whose checksum fails, and packs written after the last
// snapshot manifest (a backup cut short). An archive with damage is not
// written to (kFailedPrecondition): write to a new one.
core::Result<std::unique_ptr<Destination>> OpenArchiveDestination(const std::string& path);

// "archive:/media/usb/mamori.mamori" is an archive; "dir:/mnt/nas/m" or any
// other path is a directory.
core::Result<std::unique_ptr<Destination>> OpenDestination(const std::string& spec);
// The same for reading (list, verify, restore, view): a directory or archive
// that does not exist is kNotFound instead of being created.
core::Result<std::unique_ptr<Destination>> OpenExistingDestination(const std::string& spec);

}  // namespace mamori::backup

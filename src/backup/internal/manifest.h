// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to backup: the snapshot manifest (repository.h describes it).
//
//   {"manifest":"mamori-backup/2","snapshot":"...","created_us":..,"repository":"..","key_file":"<hex>"}
//   {"file":"mamori.db","size":123,"chunks":[["<id>",<plain size>,"<sha256 of the stored blob>",
//                                             "<pack id>",<offset in pack>,<stored length>],..]}
//   {"final":{"files":1,"bytes":123}}
//
// Format 1 (mamori-backup/1, one object chunks/ab/<id> per chunk; read only):
// the same, with "manifest":"mamori-backup/1" and chunk entries
// ["<id>",<plain size>,"<sha256 of the stored object>"].
//   {"signature":"<hex Ed25519 over every byte before this line>"}

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backup/destination.h"
#include "core/status.h"
#include "crypto/signature.h"

namespace mamori::backup::internal {

// A chunk and where its sealed blob is: bytes [offset, offset + length) of
// the pack object PackObjectName(pack).
struct ChunkRef {
  std::string id;          // 64 hex
  uint64_t size = 0;       // plaintext bytes
  std::string stored_sha;  // 64 hex, SHA-256 of the stored blob
  std::string pack;        // 64 hex; "" in a format-1 manifest (ChunkObjectName(id))
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct FileEntry {
  std::string name;
  uint64_t size = 0;
  std::vector<ChunkRef> chunks;
};

struct Manifest {
  int format = 2;  // 1: mamori-backup/1 (no pack index)
  std::string snapshot;
  int64_t created_us = 0;
  std::string repository;
  std::string key_file;  // raw bytes
  std::vector<FileEntry> files;
};

std::string SerializeManifest(const Manifest& manifest, const crypto::SigningKey& key);

// Errors: kDataLoss naming what is wrong: a line that does not parse, no
// final record (truncated), counts that disagree with the final record, a
// signature that does not verify under `key`.
core::Result<Manifest> ParseManifest(std::string_view bytes, const crypto::VerifyingKey& key);

// The object name of a pack id: packs/ab/abcdef...
std::string PackObjectName(std::string_view pack);
// Format 1: the object name of a chunk id: chunks/ab/abcdef...
std::string ChunkObjectName(std::string_view id);

// The `config` object (implemented in repository.cc).
struct RepositoryConfig {
  int format = 2;  // 1: mamori-backup/1, read only (repository.h)
  std::string repository;
  crypto::VerifyingKey public_key;
  std::string wrapped_keys;
  // The admin key that may prune; none if the repository was created without.
  std::optional<crypto::VerifyingKey> admin_public_key;
};
core::Result<RepositoryConfig> ReadRepositoryConfig(Destination& dest);
// kFailedPrecondition: `dest` is a format-1 repository, read only; what to do.
core::Status FormatOneIsReadOnly(Destination& dest);

}  // namespace mamori::backup::internal

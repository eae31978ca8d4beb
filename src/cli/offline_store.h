// SPDX-License-Identifier: Apache-2.0
#pragma once

// The data directory opened by a command that writes while the server is
// stopped (user, client, assess attest/matrix, export, reindex): the directory lock (so no
// server or other command writes at the same time: the ledger has one
// writer), the master key from the passphrase, and the store, which exports
// the tree heads it signs as `serve` does.
//
//   MAMORI_ASSIGN_OR_RETURN(OfflineStore o, OpenOfflineStore(dir, passphrase_file, env));
//   MAMORI_RETURN_IF_ERROR(o.store->Write(...));

#include <memory>
#include <string>

#include "core/env.h"
#include "core/file_system.h"
#include "core/status.h"
#include "crypto/aead.h"
#include "store/store.h"

namespace mamori::cli {

struct OfflineStore {
  std::unique_ptr<core::FileLock> lock;
  std::unique_ptr<crypto::AeadKey> kek;
  std::unique_ptr<store::Store> store;
};

// Errors: kUnavailable when a server or another command holds the directory
// (the message says to stop it); the passphrase's and the store's errors.
// `indexer` is needed by commands that write resources or rebuild the index.
core::Result<OfflineStore> OpenOfflineStore(const std::string& data_dir,
                                            const std::string& passphrase_file, core::Env& env,
                                            store::StoreOptions::Indexer indexer = nullptr);

}  // namespace mamori::cli

// SPDX-License-Identifier: Apache-2.0
#include "cli/offline_store.h"

#include "cli/data_dir.h"
#include "cli/master_key.h"
#include "cli/serve_command.h"

namespace mamori::cli {

core::Result<OfflineStore> OpenOfflineStore(const std::string& data_dir,
                                            const std::string& passphrase_file, core::Env& env,
                                            store::StoreOptions::Indexer indexer) {
  OfflineStore o;
  auto lock = env.fs().Lock(core::JoinPath(data_dir, "mamori.lock"));
  if (!lock.ok()) {
    return core::UnavailableError("mamori serve (or another command) is using " + data_dir +
                                  "; stop it, run this command, then start it again");
  }
  o.lock = *std::move(lock);
  MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes passphrase,
                          ObtainPassphrase(passphrase_file, env, "Master key passphrase", false));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek, UnlockMasterKey(data_dir, passphrase, env));
  o.kek = std::make_unique<crypto::AeadKey>(std::move(kek));
  MAMORI_ASSIGN_OR_RETURN(std::string location, StoreLocation(data_dir, env.fs()));
  store::StoreOptions options{.path = location, .kek = o.kek.get(), .indexer = std::move(indexer)};
  ApplyBenchmarkPlaintext(options);  // benchmark builds only
  MAMORI_RETURN_IF_ERROR(ExportTreeHeadsAsServeDoes(data_dir, env, options));
  options.tree_head_interval_ms = 0;  // a short command: one head when it closes
  MAMORI_ASSIGN_OR_RETURN(o.store, store::OpenStore(options, env));
  return o;
}

}  // namespace mamori::cli

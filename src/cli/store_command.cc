// SPDX-License-Identifier: Apache-2.0
#include "cli/store_command.h"

#include <cstdio>

#include "cli/master_key.h"
#include "store/store.h"

namespace mamori::cli {

void StoreCommands::Register(CLI::App& app) {
  migrate_ = app.add_subcommand(
      "migrate",
      "Create or upgrade the store's schema (no passphrase needed); run once before "
      "starting nodes of a new version");
  migrate_->add_option("--data-dir", data_dir_, "Data directory (its config.toml names the store)");
  migrate_->add_option("--store", store_url_, "A postgres:// URL instead of --data-dir");
}

std::optional<core::Status> StoreCommands::Dispatch(core::Env& env) {
  if (migrate_ != nullptr && migrate_->parsed()) return Migrate(env);
  return std::nullopt;
}

core::Status StoreCommands::Migrate(core::Env& env) {
  if (data_dir_.empty() == store_url_.empty()) {
    return core::InvalidArgumentError("give exactly one of --data-dir DIR or --store URL");
  }
  std::string location = store_url_;
  if (location.empty()) {
    MAMORI_ASSIGN_OR_RETURN(location, StoreLocation(data_dir_, env.fs()));
    if (!IsPostgresLocation(location)) {
      MAMORI_ASSIGN_OR_RETURN(bool exists, env.fs().Exists(location));
      if (!exists) {
        return core::NotFoundError(location + " does not exist; create it with `mamori init`");
      }
    }
  } else if (!IsPostgresLocation(location)) {
    return core::InvalidArgumentError("--store must be a postgres:// URL");
  }
  MAMORI_ASSIGN_OR_RETURN(auto versions, store::MigrateSchema(location));
  if (versions.first == versions.second) {
    std::printf("mamori: schema is current (version %lld)\n",
                static_cast<long long>(versions.second));
  } else {
    std::printf("mamori: schema migrated from version %lld to %lld\n",
                static_cast<long long>(versions.first), static_cast<long long>(versions.second));
  }
  return core::Status::Ok();
}

}  // namespace mamori::cli

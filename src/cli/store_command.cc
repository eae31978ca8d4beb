// SPDX-License-Identifier: Apache-2.0
#include "cli/store_command.h"

#include <cstdio>

#include "cli/audit_command.h"
#include "cli/data_dir.h"
#include "cli/master_key.h"
#include "core/config.h"
#include "store/store.h"

namespace mamori::cli {

void StoreCommands::Register(CLI::App& app) {
  migrate_ = app.add_subcommand(
      "migrate",
      "Create or upgrade the store's schema (no passphrase needed); run once before "
      "starting nodes of a new version");
  migrate_->add_option("--data-dir", data_dir_, "Data directory (its config.toml names the store)");
  migrate_->add_option("--store", store_url_, "A postgres:// URL instead of --data-dir");
  CLI::App* store = app.add_subcommand("store", "Store operations");
  store->require_subcommand(1);
  copy_ = store->add_subcommand(
      "copy",
      "Copy a stopped SQLite installation into an empty PostgreSQL database, verify the "
      "audit ledger there, then point config.toml at it");
  copy_->add_option("--data-dir", copy_data_dir_, "Data directory (no server may be using it)")
      ->required();
  copy_->add_option("--to", copy_to_, "postgres:// URL of an empty database")->required();
}

std::optional<core::Status> StoreCommands::Dispatch(core::Env& env) {
  if (migrate_ != nullptr && migrate_->parsed()) return Migrate(env);
  if (copy_ != nullptr && copy_->parsed()) return Copy(env);
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

core::Status StoreCommands::Copy(core::Env& env) {
  if (!IsPostgresLocation(copy_to_))
    return core::InvalidArgumentError("--to must be a postgres:// URL");
  auto lock = env.fs().Lock(core::JoinPath(copy_data_dir_, "mamori.lock"));
  if (!lock.ok()) {
    return core::UnavailableError("another mamori process is using " + copy_data_dir_ +
                                  "; stop it before copying the store");
  }
  MAMORI_ASSIGN_OR_RETURN(std::string from, StoreLocation(copy_data_dir_, env.fs()));
  if (IsPostgresLocation(from)) {
    return core::FailedPreconditionError(copy_data_dir_ +
                                         " already keeps its records in PostgreSQL");
  }
  MAMORI_ASSIGN_OR_RETURN(store::StoreCopyCounts n, store::CopySqliteToPostgres(from, copy_to_));
  std::printf(
      "mamori: copied %lld versions, %lld index rows, %lld records, %lld data keys, "
      "%lld audit leaves, %lld tree heads\n",
      static_cast<long long>(n.versions), static_cast<long long>(n.index_rows),
      static_cast<long long>(n.records), static_cast<long long>(n.keys),
      static_cast<long long>(n.leaves), static_cast<long long>(n.tree_heads));
  MAMORI_ASSIGN_OR_RETURN(
      bool intact, VerifyAuditLog({.data_dir = copy_data_dir_, .store = copy_to_}, env, stdout));
  if (!intact) {
    return core::DataLossError("the copied audit ledger does not verify; config.toml still names " +
                               from + ". Run `mamori audit verify --data-dir " + copy_data_dir_ +
                               "` on the source");
  }
  std::string config_path = core::JoinPath(copy_data_dir_, kConfigFile);
  MAMORI_ASSIGN_OR_RETURN(core::Config config, core::LoadConfig(env.fs(), config_path));
  config.store.url = copy_to_;
  MAMORI_RETURN_IF_ERROR(
      core::WriteFileAtomically(env.fs(), config_path, core::RenderConfig(config), 0600));
  std::printf(
      "mamori: %s now serves from PostgreSQL; %s is no longer used (keep it as a "
      "backup or remove it)\n",
      copy_data_dir_.c_str(), from.c_str());
  return core::Status::Ok();
}

}  // namespace mamori::cli

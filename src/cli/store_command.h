// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori migrate` (issue 10): creates or upgrades the schema of a data
// directory's store (SQLite file or the PostgreSQL database named by its
// config.toml [store] url), or of `--store URL` directly, without the master
// key. One transaction; a schema newer than this binary is refused.
//
// `mamori store copy --data-dir DIR --to postgres://...` moves a stopped SQLite
// installation to an empty PostgreSQL database: every row copied as sealed
// (no key needed), the copied audit ledger verified against DIR's ledger
// public key (as `mamori audit verify` does), and only then config.toml
// rewritten to name the database. DIR/mamori.db is left as it was.
//
//   StoreCommands store;
//   store.Register(app);
//   if (auto ran = store.Dispatch(env)) status = *ran;

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "core/status.h"

namespace mamori::cli {

class StoreCommands {
 public:
  void Register(CLI::App& app);
  // The command's status if one of these subcommands ran, else nullopt.
  std::optional<core::Status> Dispatch(core::Env& env);

 private:
  core::Status Migrate(core::Env& env);
  core::Status Copy(core::Env& env);

  CLI::App* migrate_ = nullptr;
  CLI::App* copy_ = nullptr;
  std::string copy_data_dir_;
  std::string copy_to_;
  std::string data_dir_;
  std::string store_url_;
};

}  // namespace mamori::cli

// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori migrate` (issue 10): creates or upgrades the schema of a data
// directory's store (SQLite file or the PostgreSQL database named by its
// config.toml [store] url), or of `--store URL` directly, without the master
// key. One transaction; a schema newer than this binary is refused.
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

  CLI::App* migrate_ = nullptr;
  std::string data_dir_;
  std::string store_url_;
};

}  // namespace mamori::cli

// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori export --data-dir DIR --to OUT [--type T]... [--since INSTANT]
// [--group ID | --patients] --plaintext` (issue 5): the Bulk Data export of
// the server (fhir/bulk_export.h), offline, into OUT/<Type>.ndjson files
// (mode 0600) and OUT/manifest.json. NDJSON is plaintext patient data, so
// nothing is written without --plaintext; without it the command prints what
// it would export and fails. The export is recorded in the audit ledger
// (action export-complete, user "cli", the types and counts) before any file
// is written. Needs the passphrase and the data directory's lock (no server).
//
//   mamori export --data-dir /srv/mamori --to /mnt/encrypted/x --type Patient --plaintext
//
// `mamori reindex --data-dir DIR` (issue 5): rebuilds the search index of
// every live resource (after a change of search parameters, index forms or
// index key) with a progress line, in one store transaction, offline: it
// takes the data directory's lock, so the server must be stopped first (a
// running server already rebuilds at start-up when a schema step asks).

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "core/status.h"

namespace mamori::cli {

class SearchCommands {
 public:
  void Register(CLI::App& app);
  // nullopt when neither `export` nor `reindex` was the command given.
  std::optional<core::Status> Dispatch(core::Env& env);

 private:
  core::Status Export(core::Env& env);
  core::Status Reindex(core::Env& env);

  CLI::App* cmd_ = nullptr;
  CLI::App* reindex_ = nullptr;
  std::string data_dir_;
  std::string to_;
  std::vector<std::string> types_;
  std::string since_;
  std::string group_;
  bool patients_ = false;
  bool plaintext_ = false;
  std::string passphrase_file_;
};

}  // namespace mamori::cli

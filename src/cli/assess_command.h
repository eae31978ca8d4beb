// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori assess pattern` (issue 9): the reference pattern (参照パターン I–IV)
// from a few answers given as flags, the chapters of the guideline the
// institution reads and how, and how many requirements bind it, are covered
// by a vendor contract, or do not apply. With --data-dir the result is
// recorded in DIR/compliance/pattern.json for the report.
//
//   mamori assess pattern --location vendor-cloud --vendor-contract
//   mamori assess pattern --location on-premises --system-staff --guideline 7.0 --json
//
//
// `mamori assess --data-dir DIR [--format html|pdf|json] [--lang en] [--out FILE]`:
// the inspection report (compliance/report.h); exit 1 when a required item
// fails. `mamori assess attest ID ...` records an attestation and
// `mamori assess matrix ID --party ...` sets the 責任分界 owner of a row (both
// write sealed records: stop `mamori serve` first).

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "core/status.h"

namespace mamori::cli {

class AssessCommands {
 public:
  void Register(CLI::App& app);
  std::optional<core::Status> Dispatch(core::Env& env);

 private:
  CLI::App* assess_ = nullptr;
  CLI::App* pattern_ = nullptr;
  CLI::App* attest_ = nullptr;
  CLI::App* matrix_ = nullptr;
  core::Status Report(core::Env& env);
  core::Status Attest(core::Env& env);
  core::Status Matrix(core::Env& env);
  struct ReportFlags {
    std::string data_dir, format = "html", lang = "ja", out, passphrase_file, guideline = "6.0",
                          listen;
    std::vector<std::string> backups, offline_backups;
    bool no_handshake = false;
    int dormant_days = 90, backup_max_age_hours = 24;
  } report_;
  struct RecordFlags {
    std::string data_dir, id, by, text, expires, vendor, contract, party, name, note,
        passphrase_file;
    std::vector<std::string> files;
  } record_;
  std::string location_ = "on-premises";
  std::string guideline_ = "6.0";
  std::string data_dir_;
  bool system_staff_ = false, only_online_eligibility_ = false, e_signatures_ = false,
       digitises_paper_ = false, vendor_contract_ = false, pharmacy_ = false, json_ = false;
};

}  // namespace mamori::cli

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
// The live checklist, probes, attestations and the report come later.

#include <optional>
#include <string>

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
  std::string location_ = "on-premises";
  std::string guideline_ = "6.0";
  std::string data_dir_;
  bool system_staff_ = false, only_online_eligibility_ = false, e_signatures_ = false,
       digitises_paper_ = false, vendor_contract_ = false, pharmacy_ = false, json_ = false;
};

}  // namespace mamori::cli

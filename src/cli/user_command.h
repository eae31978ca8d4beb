// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori user add|list|disable|reset-password|enroll-totp|recovery-codes` and
// `mamori client add|list|revoke` (issue 7). Non-interactive when the flags
// are given (for scripts), `--json` for machine-readable output. They open
// the data directory like `import` does: stop `mamori serve` first.
//
//   mamori user add --data-dir DIR --login h.sato --name "佐藤 花子" --role nurse
//       --department internal-medicine --requested-by head.nurse --approved-by admin
//       --password-file initial.txt --proofing-method in-person-photo-id
//       --proofing-verified-by admin --proofing-evidence "HR file 2026-118"
//   mamori user enroll-totp --data-dir DIR --login h.sato            # QR on the terminal
//   mamori user enroll-totp --data-dir DIR --login h.sato --confirm 123456
//   mamori client add --data-dir DIR --id lab --name "Lab" --cert-sha256 HEX
//       --scope system/Observation.crs

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "core/status.h"

namespace mamori::cli {

struct Identity;  // cli/identity.h

class UserCommands {
 public:
  void Register(CLI::App& app);
  // Runs the command if one of ours was given; nullopt otherwise.
  std::optional<core::Status> Dispatch(core::Env& env);

 private:
  struct Flags {
    std::string data_dir, passphrase_file, login, name, role, birth_date;
    std::vector<std::string> departments, organizations, name_parts;
    std::string requested_by, approved_by, password_file;
    std::string proofing_method, proofing_verified_by, proofing_evidence, proofing_waiver;
    std::string confirm;
    bool recovery_codes = false;
    bool json = false;
    std::string client_id, client_name, cert_sha256, jwk_file;
    std::vector<std::string> scopes;
  };
  core::Status Run(core::Env& env);
  // The command `name` on the opened identity store (Run records its event).
  core::Status RunOn(Identity& id, const std::string& name, core::Env& env);

  Flags f_;
  CLI::App* user_ = nullptr;
  CLI::App* client_ = nullptr;
};

}  // namespace mamori::cli

// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori view`: the emergency viewer (issue 8; GUIDELINE EMG-03, 見読性
// during a system failure). On a machine where the main server is not
// running:
//
//   mamori view --from DEST [--snapshot ID] [--listen 127.0.0.1:8443]
//               [--passphrase-file F] [--keep-audit DIR]
//
// restores the snapshot (newest verified by default) into a fresh 0700
// temporary directory — the records stay encrypted there as in any data
// directory — and serves it read-only over HTTPS with the snapshot's TLS
// certificate, accounts and policy: FHIR reads and searches, login, and a
// minimal Japanese patient page at /view. Every write answers 405 with an
// OperationOutcome; every request is audited into the temporary copy's
// ledger. On SIGINT/SIGTERM it stops and removes the temporary directory,
// or, with --keep-audit DIR, moves it to DIR so that the viewer's audit
// events can be checked there (`mamori audit verify --data-dir DIR`).
// Backups scheduled in the snapshot's config do not run.
//
// Thread-safety: one command per process.

#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "core/env.h"
#include "core/status.h"
#include "http/router.h"

namespace mamori::cli {

// Refuses every method but GET and HEAD with 405 (OperationOutcome
// not-supported), except login, logout, password change and break-glass
// under /auth/, which only touch the temporary copy; GET /view is public;
// everything else goes to `inner`.
class ReadOnlyGate final : public http::AccessGate {
 public:
  explicit ReadOnlyGate(const http::AccessGate& inner) : inner_(inner) {}
  std::optional<http::Response> Check(const http::Request& request, std::string_view method,
                                      std::string_view pattern,
                                      http::PathParams& params) const override;

 private:
  const http::AccessGate& inner_;
};

// GET /view: the read-only patient page (Japanese), which logs in and reads
// through the FHIR API in the browser. The page holds no patient data itself.
core::Status RegisterViewerRoutes(http::Router& router);

class ViewCommand {
 public:
  void Register(CLI::App& app);
  std::optional<core::Status> Dispatch(core::Env& env);

 private:
  CLI::App* view_ = nullptr;
  std::string from_;
  std::string snapshot_;
  std::string listen_;
  std::string passphrase_file_;
  std::string keep_audit_;
};

}  // namespace mamori::cli

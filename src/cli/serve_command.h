// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori serve`: takes the data directory's lock, loads DIR/config.toml,
// unlocks the master key, opens the record store, builds the route table
// (health, PKI, FHIR) and runs the HTTPS server until SIGTERM or SIGINT, then
// drains and returns OK (exit 0).
//
//   cli::ServeOptions options{.data_dir = "/var/lib/mamori"};
//   core::Status s = cli::Serve(options, env);

#include <optional>
#include <string>

#include "core/config.h"
#include "core/env.h"
#include "core/status.h"
#include "crypto/secure_bytes.h"
#include "http/server.h"
#include "store/store.h"

namespace mamori::cli {

// Benchmark builds only: MAMORI_BENCHMARK_PLAINTEXT=1 turns body encryption
// off (serve and the user commands must agree on it for one data directory).
// For commands that append to the ledger while the server is stopped
// (import, key rotate, user and client administration): their store exports
// the tree heads it signs to the configured file, as `serve` does, so the
// outside copy of the heads has no gap (SYS-54). Reads DIR/config.toml; a
// directory without one (a bare store) exports nothing.
core::Status ExportTreeHeadsAsServeDoes(const std::string& data_dir, core::Env& env,
                                        store::StoreOptions& options);

void ApplyBenchmarkPlaintext(store::StoreOptions& options);

struct ServeOptions {
  std::string data_dir;
  // Overrides server.listen from config.toml when set ("127.0.0.1:8443").
  std::optional<std::string> listen;
  // Unlocks the master key (see cli/master_key.h).
  crypto::SecureBytes passphrase;
  // The emergency viewer (cli/view_command.h): writes answer 405, GET /view
  // serves the patient page, and no scheduled backup runs.
  bool read_only = false;
};

// Errors: kNotFound (no data directory or config), kInvalidArgument (bad
// config, named key), kUnavailable (address in use); each message ends with
// what to do.
core::Status Serve(const ServeOptions& options, core::Env& env);

// Translates the validated config into server options (paths resolved
// against data_dir). Exposed for tests.
core::Result<http::ServerOptions> MakeServerOptions(const core::Config& config,
                                                    const std::string& data_dir);

}  // namespace mamori::cli

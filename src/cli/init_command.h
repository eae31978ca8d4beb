// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori init`: creates a new data directory (layout in cli/data_dir.h) with
// mode 0700, a commented config.toml, the master key file wrapped under the
// passphrase, the encrypted record store, and — unless the operator brings a
// certificate — a CA of its own, a CRL and a server certificate for the
// listed host names.
//
//   cli::InitOptions options{.data_dir = "/var/lib/mamori"};
//   MAMORI_RETURN_IF_ERROR(cli::InitDataDir(options, env));

#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "crypto/argon2.h"
#include "crypto/secure_bytes.h"

namespace mamori::cli {

struct InitOptions {
  std::string data_dir;
  // Demo installation (make run). Today the same as a plain init; the record
  // vault and identity issues add synthetic patients and a demo administrator.
  bool demo = false;
  // The operator's own certificate chain and key (PEM). Both or neither.
  std::string tls_cert;
  std::string tls_key;
  // Names and addresses the generated server certificate is valid for.
  std::vector<std::string> hostnames = {"localhost", "127.0.0.1", "::1"};
  // A postgres:// URL: keep the records in that (existing, empty) PostgreSQL
  // database instead of DIR/mamori.db; recorded in config.toml [store].
  std::string store_url;
  // The passphrase that wraps the master key (at least 12 characters).
  crypto::SecureBytes passphrase;
  // Argon2id cost for the key file; tests lower it.
  crypto::Argon2Params key_file_params = crypto::kArgon2KeyFileParams;
};

// Errors: kFailedPrecondition when data_dir exists and is not empty;
// kInvalidArgument for only one of tls_cert/tls_key or an unreadable PEM;
// file-system errors with the path. On error, nothing is left half-made:
// a directory this call created is removed again.
core::Status InitDataDir(const InitOptions& options, core::Env& env);

}  // namespace mamori::cli

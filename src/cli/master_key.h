// SPDX-License-Identifier: Apache-2.0
#pragma once

// The master key (KEK) of a data directory: created by `init`, unlocked by
// `serve`, `import` and `key rotate`. The key file DIR/keys/master.key holds
// the KEK wrapped under the passphrase through Argon2id (crypto/key_file.h).
//
// The passphrase comes from --passphrase-file FILE, else from the file named
// by MAMORI_PASSPHRASE_FILE, else from a prompt on the terminal (no echo);
// never from the command line, where `ps` and shell history would show it.
//
//   MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes pass, ObtainPassphrase(flag, env, "Passphrase"));
//   MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek, UnlockMasterKey(dir, pass, env));

#include <string>

#include "core/env.h"
#include "core/status.h"
#include "crypto/aead.h"
#include "crypto/argon2.h"
#include "crypto/secure_bytes.h"

namespace mamori::cli {

inline constexpr char kKeysDir[] = "keys";
inline constexpr char kMasterKeyFile[] = "keys/master.key";
// Written first by `key rotate`, renamed over master.key once the data keys
// are rewrapped (see RotateMasterKey).
inline constexpr char kNextMasterKeyFile[] = "keys/master.key.next";
inline constexpr char kDatabaseFile[] = "mamori.db";
// The Ed25519 public key that verifies the audit log's tree heads, written by
// the first `serve` (the private key stays wrapped in the database).
inline constexpr char kLedgerPublicKeyFile[] = "keys/ledger_pub.pem";
inline constexpr char kPassphraseEnv[] = "MAMORI_PASSPHRASE_FILE";

// Where the records of DIR live: the [store] url of DIR/config.toml when set
// (a PostgreSQL database, issue 10), else DIR/mamori.db (SQLite).
// Errors: those of reading or parsing config.toml.
core::Result<std::string> StoreLocation(const std::string& data_dir, core::FileSystem& fs);
inline bool IsPostgresLocation(const std::string& location) {
  return location.starts_with("postgres://") || location.starts_with("postgresql://");
}

// Errors: kInvalidArgument when no source is available (no flag, no
// variable, no terminal), with what to do; the file's errors otherwise.
core::Result<crypto::SecureBytes> ObtainPassphrase(const std::string& flag_file, core::Env& env,
                                                   const char* prompt, bool confirm);

// Generates a KEK, writes the key file (0600) in DIR/keys (0700).
core::Result<crypto::AeadKey> CreateMasterKey(const std::string& data_dir,
                                              const crypto::SecureBytes& passphrase,
                                              const crypto::Argon2Params& params, core::Env& env);

// Opens DIR/keys/master.key. Errors: kPermissionDenied "wrong passphrase ..."
// with what to do; kNotFound when the directory has no key file.
core::Result<crypto::AeadKey> UnlockMasterKey(const std::string& data_dir,
                                              const crypto::SecureBytes& passphrase,
                                              core::Env& env);

// Rewraps every data key under a new KEK sealed with `new_passphrase`, without
// rewriting any record. Crash-safe: the new key file is written beside the
// old one first, the data keys are rewrapped in one transaction, then the new
// file replaces the old; UnlockMasterKey finishes an interrupted rotation.
core::Status RotateMasterKey(const std::string& data_dir, const crypto::SecureBytes& old_passphrase,
                             const crypto::SecureBytes& new_passphrase,
                             const crypto::Argon2Params& params, core::Env& env);

}  // namespace mamori::cli

// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori audit verify` and `mamori audit sth` (issue 6; GUIDELINE PLAN-10,
// SYS-54, CHK-08). Both read the database read-only and need no passphrase:
// leaf hashes cover the ciphertext, and heads verify with the public key in
// keys/ledger_pub.pem. A server may keep running meanwhile.
//
//   AuditVerifyOptions o{.data_dir = dir, .against = "copy-of-sth.bin"};
//   MAMORI_ASSIGN_OR_RETURN(bool ok, VerifyAuditLog(o, env, stdout));  // exit 1 if !ok

#include <cstdio>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "crypto/aead.h"

namespace mamori::cli {

struct AuditVerifyOptions {
  std::string data_dir;
  // A file of one or more 171-byte heads exported earlier (audit.sth_export,
  // `mamori audit sth --out`); each must match the stored log.
  std::string against;
  // PEM public key; default DIR/keys/ledger_pub.pem.
  std::string public_key;
  // The store to read instead of DIR's own (`mamori store copy` verifies the
  // copy before config.toml names it).
  std::string store;
};

// Recomputes the tree from every stored leaf, checks every stored head (and
// each head of `against`), and prints one line per problem with its index,
// then a summary. Returns whether the log is intact.
// Errors: the database or key cannot be read (not a verdict on the log).
core::Result<bool> VerifyAuditLog(const AuditVerifyOptions& options, core::Env& env,
                                  std::FILE* out);

// Prints the newest stored head (size, time, root, key id) and, with
// `out_file`, writes its 171 bytes there. Errors: kNotFound when no head
// has been issued yet.
core::Status PrintTreeHead(const std::string& data_dir, const std::string& out_file, core::Env& env,
                           std::FILE* out);

struct AuditAffectedOptions {
  std::string data_dir;
  std::string principal;
  // Inclusive window: milliseconds since the epoch, or "YYYY-MM-DDTHH:MM:SSZ".
  std::string from;
  std::string to;
};

// Leak scoping (GUIDELINE PLAN-05): the sorted Patient ids whose records
// `principal` read, searched or exported successfully in the window, from
// every audit event (decrypted with the audit key `kek` unwraps; the
// database is read-only, so a server may keep running).
// Errors: kInvalidArgument for a bad time or from > to; kDataLoss when an
// event does not open (run `audit verify`); the database's errors.
core::Result<std::vector<std::string>> AffectedPatients(const AuditAffectedOptions& options,
                                                        const crypto::AeadKey& kek);

}  // namespace mamori::cli

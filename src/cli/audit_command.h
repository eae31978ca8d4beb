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
#include <functional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "crypto/aead.h"
#include "ledger/audit_event.h"

namespace mamori::cli {

struct AuditVerifyOptions {
  std::string data_dir;
  // A file of one or more 171-byte heads exported earlier (audit.sth_export,
  // `mamori audit sth --out`); each must match the stored log.
  std::string against;
  // PEM public key; default DIR/keys/ledger_pub.pem.
  std::string public_key;
  // CA file of the time-stamp authority: with it, every time-stamped head in
  // DIR/audit/timestamps is verified too (reply and consistency with the log).
  std::string tsa_ca;
  // The store to read instead of DIR's own (`mamori store copy` verifies the
  // copy before config.toml names it).
  std::string store;
};

// Where `audit timestamp` keeps each head it had time-stamped: N.sth (the
// 171-byte head of tree size N) beside N.tsr (the TSA's DER reply).
inline constexpr char kTimestampDir[] = "audit/timestamps";

struct AuditTimestampOptions {
  std::string data_dir;
  std::string tsa_url;  // http(s) URL of an RFC 3161 time-stamp authority
  std::string tsa_ca;   // PEM CA file that verifies the TSA's signature
};

// Has the newest stored tree head time-stamped by the TSA, verifies the
// reply (signature, data, nonce) and stores both under kTimestampDir; a head
// already time-stamped is left alone. Prints one line. Needs no passphrase.
// Errors: kNotFound (no head yet), kUnavailable (TSA unreachable),
// kDataLoss (a reply that does not verify: nothing is stored).
core::Status TimestampNewestHead(const AuditTimestampOptions& options, core::Env& env,
                                 std::FILE* out);

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

// `mamori audit search`: the auditor's filter over the decrypted events
// (GUIDELINE SYS-54). Unset fields match everything.
struct AuditSearchOptions {
  std::string data_dir;
  std::string patient;
  std::string principal;
  std::string action;   // exact action code (read, search-type, login, ...)
  std::string outcome;  // success | failure
  // Inclusive window: milliseconds since the epoch, or "YYYY-MM-DDTHH:MM:SSZ".
  std::string from;
  std::string to;
  bool emergency_only = false;
  uint64_t first_index = 0;
  uint64_t limit = 0;  // 0: no limit
};

using AuditMatch = std::function<core::Status(uint64_t index, const ledger::AuditEvent& event,
                                              std::string_view event_json)>;

// Calls `on_match` for every matching event from options.first_index on,
// oldest first, and returns the index after the last event read (the next
// export's start). The database is read-only: a server may keep running.
// Errors: kInvalidArgument for a bad filter; kDataLoss when an event does not
// open or parse (run `audit verify`); the database's errors.
core::Result<uint64_t> SearchAuditLog(const AuditSearchOptions& options, const crypto::AeadKey& kek,
                                      const AuditMatch& on_match);

// `mamori audit export`: the matching events as JSON lines into a file (or
// stdout, "-"), or as RFC 5424 messages over TLS to a syslog collector.
struct AuditExportOptions {
  AuditSearchOptions search;
  std::string to_file;
  std::string syslog;  // HOST[:PORT]
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // Holds the next index to export: read before (overrides first_index) and
  // rewritten after a complete export, so a timer can ship only what is new.
  std::string state_file;
};

struct AuditExportSummary {
  uint64_t exported = 0;
  uint64_t next_index = 0;
};

// Errors: kInvalidArgument (no or two destinations, bad state file, bad
// filter); kUnavailable (the collector cannot be reached or verified: the
// state file is left as it was, so nothing is skipped next time); the
// search's errors.
core::Result<AuditExportSummary> ExportAuditLog(const AuditExportOptions& options,
                                                const crypto::AeadKey& kek, core::Env& env);

}  // namespace mamori::cli

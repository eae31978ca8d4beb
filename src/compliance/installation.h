// SPDX-License-Identifier: Apache-2.0
#pragma once

// compliance::Installation: everything the probes and the report read from
// one mamori installation, gathered once, read-only (issue 9). The server may
// be running: the ledger is read through store::ReadAuditLog /
// (a read-only connection), and the sealed records (accounts, clients,
// attestations, the matrix) and the audit events from a consistent online copy of the
// database made in a private temporary directory and removed afterwards
// (store::CopyDatabase), so nothing in the data directory is written.
//
// Without the master key (kek == nullptr) the keyless parts are still read
// (ledger verification, backups, TLS, key file, clock) and the rest is left
// empty with `unkeyed_reason` set: those probes answer unknown.
//
//   MAMORI_ASSIGN_OR_RETURN(compliance::Installation inst,
//       compliance::ReadInstallation({.data_dir = dir, .destinations = {{"/mnt/nas"}},
//                                     .kek = &kek}, env));
//
// Thread-safety: a value.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/account.h"
#include "auth/oauth.h"
#include "backup/repository.h"
#include "compliance/attestation.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/env.h"
#include "crypto/aead.h"
#include "ledger/log_verifier.h"
#include "ledger/tree_head.h"
#include "store/store.h"

namespace mamori::compliance {

// A backup destination the installation writes to.
struct DestinationSpec {
  std::string path;
  // An offline generation (a disk or tape kept disconnected; EMG-03).
  bool offline = false;
};

struct DestinationState {
  DestinationSpec spec;
  std::string error;                            // cannot be opened or listed; empty otherwise
  std::vector<backup::SnapshotInfo> snapshots;  // oldest first
  // The newest snapshot's verification (no key needed), if there is one.
  std::optional<backup::VerifyReport> verify;
  std::string verify_error;
  std::vector<backup::DrillRecord> drills;  // oldest first
};

struct LedgerState {
  std::string error;  // cannot be read (no database, no public key)
  uint64_t leaves = 0;
  size_t heads_checked = 0;
  std::vector<ledger::LogProblem> problems;
  std::optional<ledger::TreeHead> newest_head;           // stored in the database
  std::optional<ledger::TreeHead> newest_exported_head;  // audit.sth_export
  std::string newest_head_hex;                           // its 171 bytes, hex (for the report)
};

struct EmergencyUse {
  uint64_t index = 0;  // ledger leaf index
  uint64_t time_ms = 0;
  std::string user;  // login id
};

struct EventSummary {
  // Newest successful request of each principal (login id or client id).
  std::map<std::string, uint64_t> last_seen_ms;
  std::vector<EmergencyUse> break_glass;  // successful break-glass grants, oldest first
  std::vector<uint64_t> reviews_ms;       // successful break-glass reviews, oldest first
  std::vector<uint64_t> unreadable;       // leaves that do not open or parse
};

struct Installation {
  std::string data_dir;
  std::optional<core::Config> config;
  std::string config_error;
  // TLS: the server certificate's PEM (config tls.cert) or why it is missing.
  std::string tls_cert_pem;
  std::string tls_error;
  std::string ca_file;  // tls/ca.pem when present
  // The master key file.
  std::string key_file_error;
  std::string key_file_kdf;  // "Argon2id m=... t=... p=..."
  std::optional<core::Clock::WallTime> key_file_written;
  // Encryption at rest: bytes of mamori.db scanned for plaintext markers, and
  // those found.
  uint64_t database_bytes_scanned = 0;
  std::vector<std::string> plaintext_markers_found;
  LedgerState ledger;
  std::vector<DestinationState> destinations;

  // Keyed parts (empty when unkeyed_reason is set).
  std::string unkeyed_reason;
  std::vector<auth::Account> accounts;
  std::vector<auth::OAuthClient> clients;
  std::optional<EventSummary> events;
  std::vector<Attestation> attestations;
  std::vector<MatrixEntry> matrix;
};

struct ReadOptions {
  std::string data_dir;
  std::vector<DestinationSpec> destinations;
  // The unlocked master key, or nullptr (keyless assessment).
  const crypto::AeadKey* kek = nullptr;
  // The serving process's own open store (GET /admin/assessment): records and
  // events are read from it instead of from a copy. Borrowed; may be null.
  store::Store* open_store = nullptr;
};

// Errors: kNotFound when data_dir is not a mamori data directory (no
// config.toml); every other problem is recorded in the Installation for the
// probes to report.
core::Result<Installation> ReadInstallation(const ReadOptions& options, core::Env& env);

}  // namespace mamori::compliance

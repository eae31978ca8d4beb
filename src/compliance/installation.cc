// SPDX-License-Identifier: Apache-2.0
#include "compliance/installation.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <sys/stat.h>

#include "auth/store_accounts.h"
#include "crypto/hex.h"
#include "crypto/key_file.h"
#include "crypto/secure_bytes.h"
#include "crypto/signature.h"
#include "ledger/audit_event.h"
#include "store/store.h"

namespace mamori::compliance {
namespace {

constexpr char kDatabaseFile[] = "mamori.db";
constexpr char kMasterKeyFile[] = "keys/master.key";
constexpr char kLedgerPublicKeyFile[] = "keys/ledger_pub.pem";
constexpr char kCaFile[] = "tls/ca.pem";

std::string Resolve(const std::string& dir, const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  return core::JoinPath(dir, path);
}

// The file's modification time (the FileSystem interface has none).
std::optional<core::Clock::WallTime> ModifiedAt(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return core::Clock::WallTime(std::chrono::seconds(st.st_mtim.tv_sec));
}

// Plaintext a sealed database never holds: FHIR JSON keys.
void ScanForPlaintext(const std::string& path, Installation& out) {
  static constexpr const char* kMarkers[] = {"\"resourceType\"", "\"family\"", "\"birthDate\""};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return;
  std::string carry;
  char buffer[1 << 16];
  size_t n;
  constexpr uint64_t kLimit = 256ull << 20;  // enough to show the point; bounded time
  while (out.database_bytes_scanned < kLimit && (n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
    std::string window = carry + std::string(buffer, n);
    for (const char* m : kMarkers) {
      if (window.find(m) != std::string::npos &&
          std::find(out.plaintext_markers_found.begin(), out.plaintext_markers_found.end(), m) ==
              out.plaintext_markers_found.end()) {
        out.plaintext_markers_found.push_back(m);
      }
    }
    carry = window.substr(window.size() > 16 ? window.size() - 16 : 0);
    out.database_bytes_scanned += n;
  }
  std::fclose(f);
}

void ReadLedger(const std::string& data_dir, const core::Config& config, core::Env& env,
                LedgerState& out) {
  core::Result<std::string> pem = env.fs().ReadFile(core::JoinPath(data_dir, kLedgerPublicKeyFile));
  if (!pem.ok()) {
    out.error = "no ledger public key (keys/ledger_pub.pem; written by the first `mamori serve`)";
    return;
  }
  core::Result<crypto::VerifyingKey> key = crypto::VerifyingKey::FromPem(*pem);
  if (!key.ok()) {
    out.error = "keys/ledger_pub.pem does not parse: " + key.status().message();
    return;
  }
  ledger::LogVerifier verifier(*key);
  std::vector<std::string> stored;
  core::Status s = store::ReadAuditLog(
      core::JoinPath(data_dir, kDatabaseFile),
      [&](const store::AuditRow& row) {
        verifier.AddRow(static_cast<uint64_t>(row.index), crypto::AsBytes(row.leaf),
                        crypto::AsBytes(row.stored_hash));
        return core::Status::Ok();
      },
      &stored);
  if (!s.ok()) {
    out.error = "cannot read the audit ledger: " + s.message();
    return;
  }
  for (const std::string& h : stored) verifier.AddHead(crypto::AsBytes(h), "stored");
  core::Result<std::string> exported =
      env.fs().ReadFile(Resolve(data_dir, config.audit.sth_export));
  constexpr size_t kSize = ledger::SignedTreeHead::kSize;
  if (exported.ok() && !exported->empty() && exported->size() % kSize == 0) {
    std::string last = exported->substr(exported->size() - kSize);
    verifier.AddHead(crypto::AsBytes(last), "exported");
    if (auto sth = ledger::SignedTreeHead::Parse(crypto::AsBytes(last)); sth.ok()) {
      out.newest_exported_head = sth->head();
    }
  }
  out.problems = verifier.Finish();
  out.leaves = verifier.leaves();
  out.heads_checked = verifier.heads_checked();
  if (!stored.empty()) {
    if (auto sth = ledger::SignedTreeHead::Parse(crypto::AsBytes(stored.back())); sth.ok()) {
      out.newest_head = sth->head();
      out.newest_head_hex = crypto::HexEncode(crypto::AsBytes(stored.back()));
    }
  }
}

DestinationState ReadDestination(const DestinationSpec& spec) {
  DestinationState d{.spec = spec};
  auto dest = backup::OpenDirectoryDestination(spec.path);
  if (!dest.ok()) {
    d.error = dest.status().message();
    return d;
  }
  auto snapshots = backup::ListSnapshots(**dest);
  if (!snapshots.ok()) {
    d.error = snapshots.status().message();
    return d;
  }
  d.snapshots = *std::move(snapshots);
  if (!d.snapshots.empty()) {
    auto report = backup::Verify(**dest, d.snapshots.back().id);
    if (report.ok()) {
      d.verify = *std::move(report);
    } else {
      d.verify_error = report.status().message();
    }
  }
  if (auto drills = backup::ListDrills(**dest); drills.ok()) d.drills = *std::move(drills);
  return d;
}

void AddEvent(uint64_t index, std::string_view json, EventSummary& out) {
  core::Result<ledger::AuditEvent> e = ledger::ParseAuditEvent(json);
  if (!e.ok()) {
    out.unreadable.push_back(index);
    return;
  }
  if (e->outcome != "success") return;
  uint64_t& seen = out.last_seen_ms[e->user];
  seen = std::max(seen, e->time_ms);
  if (e->action == "break-glass" && e->emergency) {
    out.break_glass.push_back({.index = index, .time_ms = e->time_ms, .user = e->user});
  } else if (e->action == "audit-review" && e->method == "POST") {
    out.reviews_ms.push_back(e->time_ms);
  }
}

// Every audit event of `st`; a leaf that does not open is listed, not fatal
// (the ledger probe names it).
core::Status ReadEvents(store::Store& st, EventSummary& out) {
  uint64_t size = st.AuditTreeSize();
  constexpr uint64_t kPage = 1024;
  for (uint64_t begin = 0; begin < size; begin += kPage) {
    MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> leaves,
                            st.AuditLeaves(begin, std::min(size, begin + kPage)));
    for (size_t i = 0; i < leaves.size(); ++i) {
      core::Result<std::string> json = st.OpenAuditLeaf(leaves[i]);
      if (!json.ok()) {
        out.unreadable.push_back(begin + i);
        continue;
      }
      AddEvent(begin + i, *json, out);
    }
  }
  return core::Status::Ok();
}

// Accounts, clients, attestations, the matrix and the events of `st`.
core::Status ReadFromStore(store::Store& st, Installation& out) {
  auth::StoreAccountStore accounts(st);
  MAMORI_ASSIGN_OR_RETURN(out.accounts, accounts.List());
  auth::StoreClientStore clients(st);
  MAMORI_ASSIGN_OR_RETURN(out.clients, clients.List());
  MAMORI_ASSIGN_OR_RETURN(out.attestations, ListAttestations(st));
  MAMORI_ASSIGN_OR_RETURN(out.matrix, ListMatrix(st));
  EventSummary events;
  MAMORI_RETURN_IF_ERROR(ReadEvents(st, events));
  out.events = std::move(events);
  return core::Status::Ok();
}

// The same from an online copy of the database in a private temporary
// directory.
core::Status ReadRecords(const std::string& data_dir, const crypto::AeadKey& kek, core::Env& env,
                         Installation& out) {
  std::string pattern = (std::filesystem::temp_directory_path() / "mamori-assess-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return core::UnavailableError("cannot create a temporary directory for the database copy");
  }
  std::string copy = pattern + "/copy.db";
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove_all(pattern, ec);
  };
  core::Status status = [&]() -> core::Status {
    MAMORI_RETURN_IF_ERROR(
        store::CopyDatabase(core::JoinPath(data_dir, kDatabaseFile), copy).status());
    store::StoreOptions options{.path = copy,
                                .kek = &kek,
                                .read_connections = 1,
                                .checkpoint_interval_ms = 0,
                                .tree_head_interval_ms = 0};
    MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> st, store::OpenStore(options, env));
    return ReadFromStore(*st, out);
  }();
  cleanup();
  return status;
}

}  // namespace

core::Result<Installation> ReadInstallation(const ReadOptions& options, core::Env& env) {
  Installation out;
  out.data_dir = options.data_dir;
  std::string config_path = core::JoinPath(options.data_dir, "config.toml");
  MAMORI_ASSIGN_OR_RETURN(bool has_config, env.fs().Exists(config_path));
  if (!has_config) {
    return core::NotFoundError(options.data_dir +
                               " is not a mamori data directory (no config.toml); run `mamori "
                               "init` or give the right --data-dir");
  }
  core::Result<core::Config> config = core::LoadConfig(env.fs(), config_path);
  if (config.ok()) {
    out.config = *config;
  } else {
    out.config_error = config.status().message();
  }
  core::Config effective = out.config.value_or(core::Config{});

  core::Result<std::string> cert = env.fs().ReadFile(Resolve(options.data_dir, effective.tls.cert));
  if (cert.ok()) {
    out.tls_cert_pem = *cert;
  } else {
    out.tls_error = "cannot read " + effective.tls.cert + ": " + cert.status().message();
  }
  if (env.fs().Exists(core::JoinPath(options.data_dir, kCaFile)).value_or(false)) {
    out.ca_file = core::JoinPath(options.data_dir, kCaFile);
  }

  std::string key_path = core::JoinPath(options.data_dir, kMasterKeyFile);
  core::Result<std::string> key_file = env.fs().ReadFile(key_path);
  if (!key_file.ok()) {
    out.key_file_error = "cannot read keys/master.key: " + key_file.status().message();
  } else if (auto info = crypto::InspectKeyFile(*key_file); !info.ok()) {
    out.key_file_error = "keys/master.key does not parse: " + info.status().message();
  } else {
    out.key_file_kdf = "Argon2id m=" + std::to_string(info->params.memory_kib) +
                       " KiB t=" + std::to_string(info->params.iterations) +
                       " p=" + std::to_string(info->params.parallelism);
    out.key_file_written = ModifiedAt(key_path);
  }

  ScanForPlaintext(core::JoinPath(options.data_dir, kDatabaseFile), out);
  ScanForPlaintext(core::JoinPath(options.data_dir, std::string(kDatabaseFile) + "-wal"), out);
  ReadLedger(options.data_dir, effective, env, out.ledger);
  for (const DestinationSpec& spec : options.destinations) {
    out.destinations.push_back(ReadDestination(spec));
  }

  if (options.open_store != nullptr) {
    if (core::Status s = ReadFromStore(*options.open_store, out); !s.ok()) {
      out.unkeyed_reason = "cannot read the sealed records: " + s.message();
    }
    return out;
  }
  if (options.kek == nullptr) {
    out.unkeyed_reason = "no master key passphrase was given (--passphrase-file)";
    return out;
  }
  if (core::Status s = ReadRecords(options.data_dir, *options.kek, env, out); !s.ok()) {
    out.unkeyed_reason = "cannot read the sealed records: " + s.message();
  }
  return out;
}

}  // namespace mamori::compliance

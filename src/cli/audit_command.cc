// SPDX-License-Identifier: Apache-2.0
#include "cli/audit_command.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <set>

#include "cli/master_key.h"
#include "crypto/secure_bytes.h"
#include "crypto/signature.h"
#include "ledger/audit_event.h"
#include "ledger/hash.h"
#include "ledger/log_verifier.h"
#include "ledger/tree_head.h"
#include "store/store.h"

namespace mamori::cli {
namespace {

core::Result<crypto::VerifyingKey> LoadLedgerKey(const AuditVerifyOptions& o, core::Env& env) {
  std::string path =
      o.public_key.empty() ? core::JoinPath(o.data_dir, kLedgerPublicKeyFile) : o.public_key;
  core::Result<std::string> pem = env.fs().ReadFile(path);
  if (!pem.ok()) {
    return core::NotFoundError("cannot read the ledger public key " + path +
                               " (written by the first `mamori serve`): " + pem.status().message());
  }
  return crypto::VerifyingKey::FromPem(*pem);
}

core::Result<std::vector<std::string>> ReadHeadFile(core::FileSystem& fs, const std::string& path) {
  MAMORI_ASSIGN_OR_RETURN(std::string bytes, fs.ReadFile(path));
  constexpr size_t kSize = ledger::SignedTreeHead::kSize;
  if (bytes.empty() || bytes.size() % kSize != 0) {
    return core::InvalidArgumentError(path + " is not a file of 171-byte tree heads");
  }
  std::vector<std::string> heads;
  for (size_t at = 0; at < bytes.size(); at += kSize) heads.push_back(bytes.substr(at, kSize));
  return heads;
}

// Milliseconds since the epoch, or an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SSZ".
core::Result<uint64_t> ParseTime(const std::string& text, const char* flag) {
  uint64_t ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return ms;
  std::tm tm{};
  char z = 0;
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon,
                      &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z);
  if (n != 7 || z != 'Z' || text.size() != 20) {
    return core::InvalidArgumentError(std::string(flag) +
                                      " must be YYYY-MM-DDTHH:MM:SSZ or milliseconds since 1970");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm);
  if (t < 0) return core::InvalidArgumentError(std::string(flag) + " is before 1970");
  return static_cast<uint64_t>(t) * 1000;
}

}  // namespace

core::Result<std::vector<std::string>> AffectedPatients(const AuditAffectedOptions& o,
                                                        const crypto::AeadKey& kek) {
  ledger::AffectedQuery query{.principal = o.principal};
  MAMORI_ASSIGN_OR_RETURN(query.from_ms, ParseTime(o.from, "--from"));
  MAMORI_ASSIGN_OR_RETURN(query.to_ms, ParseTime(o.to, "--to"));
  if (query.from_ms > query.to_ms) return core::InvalidArgumentError("--from is after --to");
  std::set<std::string> patients;
  MAMORI_ASSIGN_OR_RETURN(std::string db, StoreLocation(o.data_dir, core::FileSystem::Posix()));
  MAMORI_RETURN_IF_ERROR(
      store::ReadAuditEvents(db, kek, [&](uint64_t index, std::string_view json) -> core::Status {
        core::Result<ledger::AuditEvent> event = ledger::ParseAuditEvent(json);
        if (!event.ok()) {
          return core::DataLossError("audit event " + std::to_string(index) +
                                     " does not parse: " + event.status().message());
        }
        ledger::CollectAffected(*event, query, &patients);
        return core::Status::Ok();
      }));
  return std::vector<std::string>(patients.begin(), patients.end());
}

core::Result<bool> VerifyAuditLog(const AuditVerifyOptions& o, core::Env& env, std::FILE* out) {
  MAMORI_ASSIGN_OR_RETURN(crypto::VerifyingKey key, LoadLedgerKey(o, env));
  std::vector<std::string> against;
  if (!o.against.empty()) {
    MAMORI_ASSIGN_OR_RETURN(against, ReadHeadFile(env.fs(), o.against));
  }
  ledger::LogVerifier verifier(key);
  std::vector<std::string> stored;
  std::string db = o.store;
  if (db.empty()) {
    MAMORI_ASSIGN_OR_RETURN(db, StoreLocation(o.data_dir, env.fs()));
  }
  MAMORI_RETURN_IF_ERROR(store::ReadAuditLog(
      db,
      [&](const store::AuditRow& row) {
        verifier.AddRow(static_cast<uint64_t>(row.index), crypto::AsBytes(row.leaf),
                        crypto::AsBytes(row.stored_hash));
        return core::Status::Ok();
      },
      &stored));
  for (const std::string& h : stored) verifier.AddHead(crypto::AsBytes(h), "stored");
  for (const std::string& h : against) verifier.AddHead(crypto::AsBytes(h), "exported");
  std::vector<ledger::LogProblem> problems = verifier.Finish();
  for (const ledger::LogProblem& p : problems) {
    std::fprintf(out, "BAD %s %llu: %s\n", p.kind.c_str(), static_cast<unsigned long long>(p.index),
                 p.what.c_str());
  }
  std::fprintf(out, "%s: %llu leaves, %zu tree heads checked, %zu problems\n",
               problems.empty() ? "OK" : "TAMPERED",
               static_cast<unsigned long long>(verifier.leaves()), verifier.heads_checked(),
               problems.size());
  return problems.empty();
}

core::Status PrintTreeHead(const std::string& data_dir, const std::string& out_file, core::Env& env,
                           std::FILE* out) {
  std::vector<std::string> heads;
  MAMORI_ASSIGN_OR_RETURN(std::string db, StoreLocation(data_dir, env.fs()));
  MAMORI_RETURN_IF_ERROR(store::ReadAuditLog(
      db, [](const store::AuditRow&) { return core::Status::Ok(); }, &heads));
  if (heads.empty()) return core::NotFoundError("no tree head has been issued yet");
  MAMORI_ASSIGN_OR_RETURN(ledger::SignedTreeHead sth,
                          ledger::SignedTreeHead::Parse(crypto::AsBytes(heads.back())));
  std::fprintf(out, "tree_size %llu\ntimestamp_ms %llu\nroot_hash %s\n",
               static_cast<unsigned long long>(sth.head().tree_size),
               static_cast<unsigned long long>(sth.head().timestamp_ms),
               ledger::HashToHex(sth.head().root_hash).c_str());
  if (out_file.empty()) return core::Status::Ok();
  MAMORI_ASSIGN_OR_RETURN(auto file, env.fs().NewWritableFile(out_file, 0644));
  MAMORI_RETURN_IF_ERROR(file->Append(heads.back()));
  MAMORI_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

}  // namespace mamori::cli

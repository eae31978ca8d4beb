// SPDX-License-Identifier: Apache-2.0
#include "cli/audit_command.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <set>

#include "cli/master_key.h"
#include "cli/syslog_client.h"
#include "cli/tsa_client.h"
#include "crypto/secure_bytes.h"
#include "crypto/signature.h"
#include "crypto/timestamp.h"
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

std::string FormatTime(core::Clock::WallTime t) { return core::FormatRfc3339(t); }

// Verifies every time-stamp reply under kTimestampDir against its head and
// prints one line each; returns the heads whose replies verify, for the
// consistency check. A reply that fails is one "BAD timestamp N" line.
core::Result<std::vector<std::string>> CheckTimestamps(const std::string& data_dir,
                                                       const std::string& ca, core::Env& env,
                                                       std::FILE* out, size_t* bad) {
  std::string dir = core::JoinPath(data_dir, kTimestampDir);
  std::vector<std::string> heads;
  MAMORI_ASSIGN_OR_RETURN(bool exists, env.fs().Exists(dir));
  if (!exists) return heads;
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> names, env.fs().ListDir(dir));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (!name.ends_with(".tsr")) continue;
    std::string stem = name.substr(0, name.size() - 4);
    core::Result<std::string> reply = env.fs().ReadFile(core::JoinPath(dir, name));
    core::Result<std::string> head = env.fs().ReadFile(core::JoinPath(dir, stem + ".sth"));
    if (!reply.ok() || !head.ok()) {
      std::fprintf(out, "BAD timestamp %s: reply or head unreadable\n", stem.c_str());
      ++*bad;
      continue;
    }
    core::Result<crypto::TimestampInfo> info =
        crypto::VerifyTimestampReply(*reply, crypto::AsBytes(*head), ca);
    if (!info.ok()) {
      if (info.status().code() == core::StatusCode::kInvalidArgument &&
          info.status().message().find("CA file") != std::string::npos) {
        return info.status();  // the operator's CA file, not the log, is wrong
      }
      std::fprintf(out, "BAD timestamp %s: %s\n", stem.c_str(), info.status().message().c_str());
      ++*bad;
      continue;
    }
    std::fprintf(out, "time-stamped head %s: %s by the TSA (serial %s)\n", stem.c_str(),
                 FormatTime(info->time).c_str(), info->serial.c_str());
    heads.push_back(*std::move(head));
  }
  return heads;
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
  size_t bad_timestamps = 0;
  if (!o.tsa_ca.empty()) {
    MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> stamped,
                            CheckTimestamps(o.data_dir, o.tsa_ca, env, out, &bad_timestamps));
    for (const std::string& h : stamped) verifier.AddHead(crypto::AsBytes(h), "time-stamped");
  }
  std::vector<ledger::LogProblem> problems = verifier.Finish();
  for (const ledger::LogProblem& p : problems) {
    std::fprintf(out, "BAD %s %llu: %s\n", p.kind.c_str(), static_cast<unsigned long long>(p.index),
                 p.what.c_str());
  }
  bool intact = problems.empty() && bad_timestamps == 0;
  std::fprintf(out, "%s: %llu leaves, %zu tree heads checked, %zu problems\n",
               intact ? "OK" : "TAMPERED", static_cast<unsigned long long>(verifier.leaves()),
               verifier.heads_checked(), problems.size() + bad_timestamps);
  return intact;
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

core::Result<uint64_t> SearchAuditLog(const AuditSearchOptions& o, const crypto::AeadKey& kek,
                                      const AuditMatch& on_match) {
  ledger::AuditFilter filter{.patient = o.patient,
                             .principal = o.principal,
                             .action = o.action,
                             .outcome = o.outcome,
                             .emergency_only = o.emergency_only};
  if (!o.outcome.empty() && o.outcome != "success" && o.outcome != "failure") {
    return core::InvalidArgumentError("--outcome must be success or failure");
  }
  if (!o.from.empty()) {
    MAMORI_ASSIGN_OR_RETURN(filter.from_ms, ParseTime(o.from, "--from"));
  }
  if (!o.to.empty()) {
    MAMORI_ASSIGN_OR_RETURN(filter.to_ms, ParseTime(o.to, "--to"));
  }
  if (filter.from_ms > filter.to_ms) return core::InvalidArgumentError("--from is after --to");
  uint64_t next = o.first_index;
  uint64_t matched = 0;
  // Reaching --limit ends the scan with a status that is not an error.
  bool limit_reached = false;
  MAMORI_ASSIGN_OR_RETURN(std::string db, StoreLocation(o.data_dir, core::FileSystem::Posix()));
  core::Status scan = store::ReadAuditEvents(
      db, kek,
      [&](uint64_t index, std::string_view json) -> core::Status {
        core::Result<ledger::AuditEvent> event = ledger::ParseAuditEvent(json);
        if (!event.ok()) {
          return core::DataLossError("audit event " + std::to_string(index) + " does not parse (" +
                                     event.status().message() + "); run `mamori audit verify`");
        }
        next = index + 1;
        if (!ledger::Matches(*event, filter)) return core::Status::Ok();
        MAMORI_RETURN_IF_ERROR(on_match(index, *event, json));
        limit_reached = ++matched == o.limit;
        return limit_reached ? core::AbortedError("limit reached") : core::Status::Ok();
      },
      o.first_index);
  if (!scan.ok() && !limit_reached) return scan;
  return next;
}

namespace {

core::Result<uint64_t> ReadExportState(core::Env& env, const std::string& path, uint64_t dflt) {
  MAMORI_ASSIGN_OR_RETURN(bool exists, env.fs().Exists(path));
  if (!exists) return dflt;
  MAMORI_ASSIGN_OR_RETURN(std::string text, env.fs().ReadFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  uint64_t next = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), next);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return core::InvalidArgumentError(path +
                                      " does not hold an event index; remove it to export "
                                      "from --first-index");
  }
  return next;
}

}  // namespace

core::Result<AuditExportSummary> ExportAuditLog(const AuditExportOptions& o,
                                                const crypto::AeadKey& kek, core::Env& env) {
  if (o.to_file.empty() == o.syslog.empty()) {
    return core::InvalidArgumentError("give exactly one of --out FILE and --syslog HOST:PORT");
  }
  AuditSearchOptions search = o.search;
  if (!o.state_file.empty()) {
    MAMORI_ASSIGN_OR_RETURN(search.first_index,
                            ReadExportState(env, o.state_file, search.first_index));
  }
  AuditExportSummary summary;
  std::unique_ptr<SyslogTlsClient> syslog;
  std::unique_ptr<core::WritableFile> file;
  std::string host = Hostname();
  if (!o.syslog.empty()) {
    if (o.ca_file.empty()) return core::InvalidArgumentError("--syslog needs --ca FILE");
    MAMORI_ASSIGN_OR_RETURN(SyslogTarget target, ParseSyslogTarget(o.syslog));
    target.ca_file = o.ca_file;
    target.cert_file = o.cert_file;
    target.key_file = o.key_file.empty() ? o.cert_file : o.key_file;
    MAMORI_ASSIGN_OR_RETURN(syslog, SyslogTlsClient::Connect(target));
  } else if (o.to_file != "-") {
    MAMORI_ASSIGN_OR_RETURN(file, env.fs().NewWritableFile(o.to_file, 0600));
  }
  MAMORI_ASSIGN_OR_RETURN(
      summary.next_index,
      SearchAuditLog(search, kek,
                     [&](uint64_t index, const ledger::AuditEvent& event,
                         std::string_view json) -> core::Status {
                       ++summary.exported;
                       if (syslog) return syslog->Send(SyslogMessage(index, event, json, host));
                       std::string line = AuditJsonLine(index, json) + "\n";
                       if (file) return file->Append(line);
                       return std::fwrite(line.data(), 1, line.size(), stdout) == line.size()
                                  ? core::Status::Ok()
                                  : core::UnavailableError("cannot write to stdout");
                     }));
  if (syslog) MAMORI_RETURN_IF_ERROR(syslog->Close());
  if (file) {
    MAMORI_RETURN_IF_ERROR(file->Sync());
    MAMORI_RETURN_IF_ERROR(file->Close());
  }
  if (!o.state_file.empty()) {
    MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(
        env.fs(), o.state_file, std::to_string(summary.next_index) + "\n", 0600));
  }
  return summary;
}

core::Status TimestampNewestHead(const AuditTimestampOptions& o, core::Env& env, std::FILE* out) {
  std::vector<std::string> heads;
  MAMORI_ASSIGN_OR_RETURN(std::string db, StoreLocation(o.data_dir, env.fs()));
  MAMORI_RETURN_IF_ERROR(store::ReadAuditLog(
      db, [](const store::AuditRow&) { return core::Status::Ok(); }, &heads));
  if (heads.empty()) return core::NotFoundError("no tree head has been issued yet");
  const std::string& head = heads.back();
  MAMORI_ASSIGN_OR_RETURN(ledger::SignedTreeHead sth,
                          ledger::SignedTreeHead::Parse(crypto::AsBytes(head)));
  std::string dir = core::JoinPath(o.data_dir, kTimestampDir);
  std::string stem = core::JoinPath(dir, std::to_string(sth.head().tree_size));
  MAMORI_ASSIGN_OR_RETURN(bool done, env.fs().Exists(stem + ".tsr"));
  if (done) {
    std::fprintf(out, "head %llu is already time-stamped (%s.tsr)\n",
                 static_cast<unsigned long long>(sth.head().tree_size), stem.c_str());
    return core::Status::Ok();
  }
  MAMORI_ASSIGN_OR_RETURN(std::string query,
                          crypto::TimestampQuery(crypto::AsBytes(head), env.random()));
  MAMORI_ASSIGN_OR_RETURN(std::string reply, PostTimestampQuery(o.tsa_url, query));
  MAMORI_ASSIGN_OR_RETURN(
      crypto::TimestampInfo info,
      crypto::VerifyTimestampReply(reply, crypto::AsBytes(head), o.tsa_ca, query));
  MAMORI_ASSIGN_OR_RETURN(bool has_dir, env.fs().Exists(dir));
  if (!has_dir) MAMORI_RETURN_IF_ERROR(core::CreateDirs(env.fs(), dir, 0700));
  // The head first: a reply is only ever next to the bytes it vouches for.
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(env.fs(), stem + ".sth", head, 0644));
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(env.fs(), stem + ".tsr", reply, 0644));
  std::fprintf(out, "time-stamped head %llu: %s by the TSA (serial %s); %s.tsr\n",
               static_cast<unsigned long long>(sth.head().tree_size), FormatTime(info.time).c_str(),
               info.serial.c_str(), stem.c_str());
  return core::Status::Ok();
}

}  // namespace mamori::cli

// SPDX-License-Identifier: Apache-2.0
// The probes of DefaultProbes() (probe.h). Each reads only the Installation
// and the Host; thresholds come from ProbeOptions.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <sstream>

#include "auth/password_policy.h"
#include "compliance/installation.h"
#include "compliance/probe.h"
#include "crypto/x509.h"

namespace mamori::compliance {
namespace {

using Clock = core::Clock;

std::string Date(Clock::WallTime t) { return core::FormatRfc3339(t); }
std::string DateMs(uint64_t ms) { return Date(Clock::WallTime(std::chrono::milliseconds(ms))); }
Clock::WallTime FromMs(uint64_t ms) { return Clock::WallTime(std::chrono::milliseconds(ms)); }
Clock::WallTime FromUs(int64_t us) { return Clock::WallTime(std::chrono::microseconds(us)); }
int64_t Hours(Clock::WallTime::duration d) {
  return std::chrono::duration_cast<std::chrono::hours>(d).count();
}
int64_t Days(Clock::WallTime::duration d) { return Hours(d) / 24; }

using RunFn = std::function<void(const Installation&, const ProbeContext&, ProbeResult&)>;

class FunctionProbe final : public Probe {
 public:
  FunctionProbe(std::string name, std::vector<std::string> ids, std::string fix_ja,
                std::string fix_en, RunFn run)
      : name_(std::move(name)),
        ids_(std::move(ids)),
        fix_ja_(std::move(fix_ja)),
        fix_en_(std::move(fix_en)),
        run_(std::move(run)) {}
  std::string_view name() const override { return name_; }
  std::vector<std::string> ids() const override { return ids_; }
  ProbeResult Run(const Installation& inst, const ProbeContext& ctx) const override {
    ProbeResult r{.probe = name_, .ids = ids_, .outcome = Outcome::kPass};
    run_(inst, ctx, r);
    if (r.outcome != Outcome::kPass) {
      if (r.fix_ja.empty()) r.fix_ja = fix_ja_;
      if (r.fix_en.empty()) r.fix_en = fix_en_;
    }
    return r;
  }

 private:
  std::string name_;
  std::vector<std::string> ids_;
  std::string fix_ja_, fix_en_;
  RunFn run_;
};

void Fail(ProbeResult& r, std::string line) {
  r.outcome = Outcome::kFail;
  r.evidence.push_back(std::move(line));
}
void Unknown(ProbeResult& r, std::string line) {
  if (r.outcome == Outcome::kPass) r.outcome = Outcome::kUnknown;
  r.evidence.push_back(std::move(line));
}
void Note(ProbeResult& r, std::string line) { r.evidence.push_back(std::move(line)); }

// Needs the sealed records; false (and unknown) when they were not read.
bool Keyed(const Installation& inst, ProbeResult& r) {
  if (inst.unkeyed_reason.empty()) return true;
  Unknown(r, "not checked: " + inst.unkeyed_reason);
  return false;
}

bool IsHuman(const auth::Account& a) { return a.role != auth::Role::kSystem; }

void Tls(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  Note(r, "protocol policy (built in): TLS 1.3, or TLS 1.2 with ECDHE and AEAD ciphers only");
  if (!inst.tls_error.empty()) return Fail(r, inst.tls_error);
  core::Result<Clock::WallTime> not_after = crypto::CertificateNotAfter(inst.tls_cert_pem);
  if (!not_after.ok()) return Fail(r, "the server certificate does not parse");
  if (*not_after <= ctx.now)
    return Fail(r, "the server certificate expired on " + Date(*not_after));
  Note(r, "server certificate valid until " + Date(*not_after) + " (" +
              std::to_string(Days(*not_after - ctx.now)) + " days left)");
  if (*not_after - ctx.now < std::chrono::days(30)) {
    Fail(r, "the server certificate expires in less than 30 days");
  }
  if (!inst.config || !ctx.options.tls_handshake) return;
  core::Result<core::HostPort> hp = core::ParseHostPort(
      ctx.options.listen.empty() ? inst.config->server.listen : ctx.options.listen);
  if (!hp.ok()) return Fail(r, "server.listen does not parse");
  std::string host = hp->host == "0.0.0.0" || hp->host.empty() ? "127.0.0.1"
                     : hp->host == "::"                        ? "::1"
                                                               : hp->host;
  std::string where = host + ":" + std::to_string(hp->port);
  core::Result<Host::Handshake> hs = ctx.host.TlsHandshake(host, hp->port, inst.ca_file);
  if (hs.ok()) {
    Note(r, "handshake with " + where + ": " + hs->protocol + " " + hs->cipher);
    if (hs->protocol != "TLSv1.3" && hs->protocol != "TLSv1.2") {
      Fail(r, "the listener accepted " + hs->protocol);
    }
  } else if (hs.status().code() == core::StatusCode::kUnavailable) {
    Note(r, "nothing listens on " + where + " (server stopped): settings checked, handshake not");
  } else if (inst.config->tls.require_client_cert) {
    Note(r, "handshake with " + where + " needs a client certificate (tls.require_client_cert)");
  } else {
    Fail(r, "handshake with " + where + " failed: " + hs.status().message());
  }
}

void TwoFactor(const Installation& inst, const ProbeContext&, ProbeResult& r) {
  if (!Keyed(inst, r)) return;
  int active = 0;
  for (const auth::Account& a : inst.accounts) {
    if (a.disabled || !IsHuman(a)) continue;
    ++active;
    if (a.totp_sealed.empty()) {
      Fail(r, "user " + a.login_id + " (" + std::string(auth::RoleName(a.role)) +
                  ") has no second factor enrolled");
    }
  }
  Note(r, std::to_string(active) + " active human users checked");
}

void PasswordRules(const Installation&, const ProbeContext& ctx, ProbeResult& r) {
  auth::PasswordPolicy p;  // what `mamori serve` enforces
  Note(r, "in force: " + std::to_string(p.min_length_with_second_factor) +
              "+ characters with two factors, " + std::to_string(p.min_length_single_factor) +
              "+ without; letters, digits and symbols; no name, login id or birth date; " +
              "none of the last " + std::to_string(p.history) + "; common-password list " +
              (p.common_passwords_file.empty() ? "off" : "on"));
  Note(r, p.allow_short_single_factor
              ? "short single-factor passwords allowed, expiring after " +
                    std::to_string(p.short_password_max_age.count()) + " days"
              : "short single-factor passwords refused");
  Note(r, std::string("figures checked against guideline ") +
              std::string(GuidelineVersionName(ctx.options.version)));
  if (p.min_length_with_second_factor < 8) Fail(r, "fewer than 8 characters with two factors");
  if (p.min_length_single_factor < 13 &&
      (!p.allow_short_single_factor || p.short_password_max_age > std::chrono::days(62))) {
    Fail(r, "fewer than 13 characters without two factors and no 2-month change");
  }
  if (p.common_passwords_file.empty()) Fail(r, "the common-password list is off");
}

void Dormant(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (!Keyed(inst, r)) return;
  int checked = 0;
  for (const auth::Account& a : inst.accounts) {
    if (a.disabled || !IsHuman(a)) continue;
    ++checked;
    Clock::WallTime ref = std::max(a.password_changed_at, a.grant.granted_at);
    std::string seen = "never used";
    if (auto it = inst.events->last_seen_ms.find(a.login_id);
        it != inst.events->last_seen_ms.end()) {
      ref = std::max(ref, FromMs(it->second));
      seen = "last request " + DateMs(it->second);
    }
    if (ctx.now - ref > ctx.options.dormant_after) {
      Fail(r, "user " + a.login_id + " unused for " + std::to_string(Days(ctx.now - ref)) +
                  " days (" + seen + ")");
    }
  }
  Note(r, std::to_string(checked) + " active human users checked against " +
              std::to_string(ctx.options.dormant_after.count()) + " days");
}

void BreakGlass(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (!Keyed(inst, r)) return;
  const EventSummary& e = *inst.events;
  size_t reviewed = std::min(e.reviews_ms.size(), e.break_glass.size());
  Note(r, std::to_string(e.break_glass.size()) + " break-glass uses in the ledger, " +
              std::to_string(e.reviews_ms.size()) + " reviews");
  // Reviews close uses oldest first; the newest uses are the open ones.
  for (size_t i = reviewed; i < e.break_glass.size(); ++i) {
    const EmergencyUse& u = e.break_glass[i];
    std::string what = "break-glass by " + u.user + " at " + DateMs(u.time_ms) + " (ledger leaf " +
                       std::to_string(u.index) + ")";
    if (ctx.now - FromMs(u.time_ms) > ctx.options.break_glass_review_within) {
      Fail(r, what + " not reviewed within " +
                  std::to_string(ctx.options.break_glass_review_within.count()) + " days");
    } else {
      Note(r, what + " awaiting review");
    }
  }
}

void Ledger(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  const LedgerState& l = inst.ledger;
  if (!l.error.empty()) return Unknown(r, l.error);
  Note(r, std::to_string(l.leaves) + " leaves recomputed, " + std::to_string(l.heads_checked) +
              " tree heads checked");
  size_t shown = 0;
  for (const ledger::LogProblem& p : l.problems) {
    if (++shown > 20) {
      Fail(r,
           std::to_string(l.problems.size() - 20) + " more problems (run `mamori audit verify`)");
      break;
    }
    Fail(r, p.kind + " " + std::to_string(p.index) + ": " + p.what);
  }
  if (!l.newest_head) {
    if (l.leaves > 0) Fail(r, "no signed tree head covers the log");
    return;
  }
  Clock::WallTime at = FromMs(l.newest_head->timestamp_ms);
  Note(r, "newest tree head: size " + std::to_string(l.newest_head->tree_size) + ", signed " +
              Date(at));
  if (l.leaves > l.newest_head->tree_size) {
    Note(r, std::to_string(l.leaves - l.newest_head->tree_size) +
                " leaves after the newest head (signed at the next interval)");
  }
  if (ctx.now - at > ctx.options.tree_head_max_age) {
    Fail(r, "the newest tree head is " + std::to_string(Hours(ctx.now - at)) + " hours old");
  }
  if (l.newest_exported_head) {
    Note(r, "exported copy (audit.sth_export): size " +
                std::to_string(l.newest_exported_head->tree_size));
  } else {
    Note(r, "no exported tree head (audit.sth_export)");
  }
}

const backup::SnapshotInfo* Newest(const DestinationState& d) {
  return d.snapshots.empty() ? nullptr : &d.snapshots.back();
}

// Checks one destination's newest snapshot: age and verification.
void CheckDestination(const DestinationState& d, std::chrono::hours max_age,
                      const ProbeContext& ctx, ProbeResult& r) {
  const std::string& where = d.spec.path;
  if (!d.error.empty()) return Fail(r, where + ": " + d.error);
  const backup::SnapshotInfo* s = Newest(d);
  if (s == nullptr) return Fail(r, where + ": no snapshot");
  Clock::WallTime at = FromUs(s->created_us);
  std::string line = where + ": newest snapshot " + s->id + " taken " + Date(at) + " (" +
                     std::to_string(Hours(ctx.now - at)) + " h ago)";
  if (ctx.now - at > max_age) {
    Fail(r, line + ", older than " + std::to_string(max_age.count()) + " h");
  } else {
    Note(r, line);
  }
  if (!s->signature_ok) Fail(r, where + ": snapshot " + s->id + " manifest signature bad");
  if (!d.verify_error.empty()) return Fail(r, where + ": verify failed: " + d.verify_error);
  if (!d.verify) return;
  for (const backup::Problem& p : d.verify->problems) {
    Fail(r, where + ": " + p.location + ": " + p.reason);
  }
  if (d.verify->problems.empty()) {
    Note(r, where + ": verified " + std::to_string(d.verify->chunks_checked) + " chunks");
  }
}

void Backups(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (inst.destinations.empty()) {
    return Unknown(r, "no backup destination given (--backup DIR)");
  }
  for (const DestinationState& d : inst.destinations) {
    CheckDestination(d, ctx.options.backup_max_age, ctx, r);
  }
}

void Offline(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  bool any = false;
  for (const DestinationState& d : inst.destinations) {
    if (!d.spec.offline) continue;
    any = true;
    CheckDestination(d, std::chrono::duration_cast<std::chrono::hours>(ctx.options.offline_max_age),
                     ctx, r);
  }
  if (!any) Unknown(r, "no destination is declared offline (--offline-backup DIR)");
}

void Drill(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (inst.destinations.empty()) {
    return Unknown(r, "no backup destination given (--backup DIR)");
  }
  std::optional<backup::DrillRecord> newest_ok, newest;
  for (const DestinationState& d : inst.destinations) {
    for (const backup::DrillRecord& dr : d.drills) {
      if (!newest || dr.started_us > newest->started_us) newest = dr;
      if (dr.passed && (!newest_ok || dr.started_us > newest_ok->started_us)) newest_ok = dr;
    }
  }
  if (newest && !newest->passed) {
    Note(r, "newest drill " + Date(FromUs(newest->started_us)) + " failed: " + newest->detail);
  }
  if (!newest_ok) return Fail(r, "no successful restore drill recorded");
  Clock::WallTime at = FromUs(newest_ok->started_us);
  std::string line = "last successful drill " + Date(at) + " of snapshot " + newest_ok->snapshot +
                     ": " + std::to_string(newest_ok->resources_checked) +
                     " resources checked, restore " +
                     std::to_string(newest_ok->restore_duration.count()) + " ms";
  if (ctx.now - at > ctx.options.drill_max_age) {
    Fail(r, line + "; older than " + std::to_string(ctx.options.drill_max_age.count()) + " days");
  } else {
    Note(r, line);
  }
}

void ClockSync(const Installation&, const ProbeContext& ctx, ProbeResult& r) {
  core::Result<std::string> chrony = ctx.host.Run({"chronyc", "-n", "tracking"});
  if (chrony.ok()) {
    std::istringstream in(*chrony);
    std::string line, leap;
    double offset = -1;
    while (std::getline(in, line)) {
      if (line.starts_with("Leap status")) leap = line.substr(line.find(':') + 2);
      if (line.starts_with("System time")) {
        std::sscanf(line.substr(line.find(':') + 1).c_str(), "%lf", &offset);
      }
    }
    Note(r, "chronyc tracking: leap status " + leap + ", offset " + std::to_string(offset) + " s");
    if (leap != "Normal") return Fail(r, "chrony is not synchronised");
    if (offset * 1000 > static_cast<double>(ctx.options.max_clock_offset.count())) {
      Fail(r, "clock offset above " + std::to_string(ctx.options.max_clock_offset.count()) + " ms");
    }
    return;
  }
  core::Result<std::string> td = ctx.host.Run({"timedatectl", "show", "-p", "NTPSynchronized"});
  if (td.ok()) {
    std::string v = *td;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    Note(r, "timedatectl: " + v);
    if (v != "NTPSynchronized=yes") Fail(r, "systemd-timesyncd reports the clock unsynchronised");
    return;
  }
  Unknown(r, "neither chronyc nor timedatectl answered on this machine");
}

void KeyRotation(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (!inst.key_file_error.empty()) return Fail(r, inst.key_file_error);
  if (!inst.key_file_written) return Unknown(r, "the key file's date cannot be read");
  Clock::WallTime at = *inst.key_file_written;
  std::string line = "master key file written " + Date(at) + " (" +
                     std::to_string(Days(ctx.now - at)) + " days ago)";
  if (ctx.now - at > ctx.options.key_max_age) {
    Fail(r, line + ", older than " + std::to_string(ctx.options.key_max_age.count()) + " days");
  } else {
    Note(r, line);
  }
}

void ClientsMtls(const Installation& inst, const ProbeContext&, ProbeResult& r) {
  if (!Keyed(inst, r)) return;
  int active = 0;
  for (const auth::OAuthClient& c : inst.clients) {
    if (c.revoked) continue;
    ++active;
    if (c.auth_method != "tls_client_auth" || c.certificate_sha256.empty()) {
      Fail(r, "system client " + c.client_id + " authenticates with " + c.auth_method +
                  ", not mutual TLS");
    }
  }
  Note(r, std::to_string(active) + " active system clients");
  if (active > 0 && inst.config && inst.config->tls.client_ca.empty()) {
    Fail(r, "tls.client_ca is empty: the server cannot verify client certificates");
  }
}

void AtRest(const Installation& inst, const ProbeContext&, ProbeResult& r) {
  if (!inst.key_file_error.empty()) return Fail(r, inst.key_file_error);
  Note(r, "master key wrapped under the passphrase: " + inst.key_file_kdf);
  Note(r, "records, audit events and backup chunks are sealed with AES-256-GCM (built in)");
  Note(r, std::to_string(inst.database_bytes_scanned) +
              " bytes of mamori.db scanned for plaintext FHIR");
  for (const std::string& m : inst.plaintext_markers_found) {
    Fail(r, "plaintext " + m + " found in mamori.db");
  }
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kFail:
      return "fail";
    case Outcome::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::vector<std::unique_ptr<Probe>> DefaultProbes() {
  std::vector<std::unique_ptr<Probe>> p;
  auto add = [&](std::string name, std::vector<std::string> ids, std::string ja, std::string en,
                 RunFn fn) {
    p.push_back(std::make_unique<FunctionProbe>(std::move(name), std::move(ids), std::move(ja),
                                                std::move(en), std::move(fn)));
  };
  add("tls", {"SYS-31"}, "サーバ証明書を更新し、mamori serve を起動して TLS を確認してください",
      "Renew the server certificate and check the listener with mamori serve running", Tls);
  add("two-factor", {"SYS-41", "CHK-38"},
      "該当利用者に mamori user enroll-totp で二要素認証を登録させてください",
      "Enrol the listed users with `mamori user enroll-totp`", TwoFactor);
  add("password-policy", {"SYS-42", "CHK-35"}, "パスワードポリシーを基準値に戻してください",
      "Restore the password policy to the guideline's figures", PasswordRules);
  add("dormant-accounts", {"SYS-45", "CHK-07"},
      "未使用アカウントを確認し、不要なら mamori user disable で無効化してください",
      "Review the listed accounts; disable unused ones with `mamori user disable`", Dormant);
  add("break-glass-review", {"SYS-21"},
      "監査担当者が /audit/break-glass で緊急アクセスをレビューしてください",
      "Have an auditor review the break-glass uses at /audit/break-glass", BreakGlass);
  add("ledger", {"GOV-12", "SYS-54", "CHK-08"},
      "mamori audit verify で改ざん箇所を確認し、インシデントとして対応してください",
      "Run `mamori audit verify`, treat the listed rows as an incident, and keep the server "
      "signing tree heads",
      Ledger);
  add("backups", {"SYS-27", "SYS-62", "CHK-18"},
      "mamori backup create を実行し、mamori backup verify で確認してください",
      "Run `mamori backup create`, then `mamori backup verify`; replace a damaged destination",
      Backups);
  add("offline-generation", {"EMG-03"},
      "オフライン保管用の媒体にバックアップを取り、切り離して保管してください",
      "Back up to an offline medium (--offline-backup) and keep it disconnected", Offline);
  add("restore-drill", {"EMG-08", "GOV-10", "PLAN-22"},
      "mamori restore --drill で復旧訓練を実施してください",
      "Run a restore drill: `mamori restore --drill --from DEST`", Drill);
  add("clock-sync", {"SYS-55"}, "chrony または systemd-timesyncd で時刻同期を設定してください",
      "Set up chrony or systemd-timesyncd against a trusted time source", ClockSync);
  add("key-rotation", {"SYS-60"}, "mamori key rotate でマスター鍵を更新してください",
      "Rotate the master key: `mamori key rotate`", KeyRotation);
  add("system-clients-mtls", {"SYS-35"},
      "システムクライアントを相互TLS（--cert-sha256）で登録し、tls.client_ca を設定してください",
      "Register system clients with mutual TLS (--cert-sha256) and set tls.client_ca", ClientsMtls);
  add("encryption-at-rest", {"SYS-60", "EMG-04"},
      "データディレクトリを mamori init で作り直し、mamori import で移行してください",
      "Recreate the data directory with `mamori init` and import the data", AtRest);
  return p;
}

std::vector<ProbeResult> RunProbes(const Installation& installation, const ProbeContext& context) {
  std::vector<ProbeResult> out;
  for (const auto& probe : DefaultProbes()) out.push_back(probe->Run(installation, context));
  return out;
}

}  // namespace mamori::compliance

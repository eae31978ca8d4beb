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

void Fail(ProbeResult& r, std::string ja, std::string en) {
  r.outcome = Outcome::kFail;
  r.evidence.push_back({std::move(ja), std::move(en)});
}
void Unknown(ProbeResult& r, std::string ja, std::string en) {
  if (r.outcome == Outcome::kPass) r.outcome = Outcome::kUnknown;
  r.evidence.push_back({std::move(ja), std::move(en)});
}
void Note(ProbeResult& r, std::string ja, std::string en) {
  r.evidence.push_back({std::move(ja), std::move(en)});
}
std::string N(uint64_t n) { return std::to_string(n); }

// Needs the sealed records; false (and unknown) when they were not read.
bool Keyed(const Installation& inst, ProbeResult& r) {
  if (inst.unkeyed_reason.empty()) return true;
  Unknown(r,
          "未確認: マスター鍵のパスフレーズがないため暗号化された記録を読めません（" +
              inst.unkeyed_reason + "）",
          "not checked: " + inst.unkeyed_reason);
  return false;
}

bool IsHuman(const auth::Account& a) { return a.role != auth::Role::kSystem; }

void Tls(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  Note(r, "通信方式（組込み）: TLS 1.3、または ECDHE と AEAD 暗号のみの TLS 1.2",
       "protocol policy (built in): TLS 1.3, or TLS 1.2 with ECDHE and AEAD ciphers only");
  if (!inst.tls_error.empty())
    return Fail(r, "サーバ証明書を読めません: " + inst.tls_error, inst.tls_error);
  core::Result<Clock::WallTime> not_after = crypto::CertificateNotAfter(inst.tls_cert_pem);
  if (!not_after.ok()) {
    return Fail(r, "サーバ証明書を解析できません", "the server certificate does not parse");
  }
  if (*not_after <= ctx.now) {
    return Fail(r, "サーバ証明書は " + Date(*not_after) + " に期限切れです",
                "the server certificate expired on " + Date(*not_after));
  }
  std::string left = N(Days(*not_after - ctx.now));
  Note(r, "サーバ証明書の有効期限 " + Date(*not_after) + "（残り " + left + " 日）",
       "server certificate valid until " + Date(*not_after) + " (" + left + " days left)");
  if (*not_after - ctx.now < std::chrono::days(30)) {
    Fail(r, "サーバ証明書の期限まで30日未満です",
         "the server certificate expires in less than 30 days");
  }
  if (!inst.config) return;
  if (!ctx.options.tls_handshake) {
    return Note(r, "接続試験は行っていません（稼働中のサーバ自身が応答）",
                "handshake not tried (the running server answers this report)");
  }
  core::Result<core::HostPort> hp = core::ParseHostPort(
      ctx.options.listen.empty() ? inst.config->server.listen : ctx.options.listen);
  if (!hp.ok()) return Fail(r, "server.listen を解析できません", "server.listen does not parse");
  std::string host = hp->host == "0.0.0.0" || hp->host.empty() ? "127.0.0.1"
                     : hp->host == "::"                        ? "::1"
                                                               : hp->host;
  std::string where = host + ":" + N(hp->port);
  core::Result<Host::Handshake> hs = ctx.host.TlsHandshake(host, hp->port, inst.ca_file);
  if (hs.ok()) {
    Note(r, where + " との接続試験: " + hs->protocol + " " + hs->cipher,
         "handshake with " + where + ": " + hs->protocol + " " + hs->cipher);
    if (hs->protocol != "TLSv1.3" && hs->protocol != "TLSv1.2") {
      Fail(r, "待受が " + hs->protocol + " を受け入れました",
           "the listener accepted " + hs->protocol);
    }
  } else if (hs.status().code() == core::StatusCode::kUnavailable) {
    Note(r, where + " は待受していません（サーバ停止中）: 設定のみ確認し、接続試験は未実施",
         "nothing listens on " + where + " (server stopped): settings checked, handshake not");
  } else if (inst.config->tls.require_client_cert) {
    Note(r, where + " との接続にはクライアント証明書が必要です（tls.require_client_cert）",
         "handshake with " + where + " needs a client certificate (tls.require_client_cert)");
  } else {
    Fail(r, where + " との接続試験に失敗: " + hs.status().message(),
         "handshake with " + where + " failed: " + hs.status().message());
  }
}

void TwoFactor(const Installation& inst, const ProbeContext&, ProbeResult& r) {
  if (!Keyed(inst, r)) return;
  int active = 0;
  for (const auth::Account& a : inst.accounts) {
    if (a.disabled || !IsHuman(a)) continue;
    ++active;
    if (a.totp_sealed.empty()) {
      std::string role(auth::RoleName(a.role));
      Fail(r, "利用者 " + a.login_id + "（" + role + "）は二要素認証が未登録です",
           "user " + a.login_id + " (" + role + ") has no second factor enrolled");
    }
  }
  Note(r, "有効な利用者 " + N(active) + " 名を確認", N(active) + " active human users checked");
}

void PasswordRules(const Installation&, const ProbeContext& ctx, ProbeResult& r) {
  auth::PasswordPolicy p;  // what `mamori serve` enforces
  std::string two = N(p.min_length_with_second_factor), one = N(p.min_length_single_factor),
              hist = N(p.history);
  bool common = !p.common_passwords_file.empty();
  Note(r,
       "適用中: 二要素あり " + two + " 文字以上、なし " + one +
           " 文字以上。英字・数字・記号を混在。氏名・ID・生年月日は不可。直近 " + hist +
           " 回と同じものは不可。よく使われるパスワードの照合 " + (common ? "有効" : "無効"),
       "in force: " + two + "+ characters with two factors, " + one +
           "+ without; letters, digits and symbols; no name, login id or birth date; none of the "
           "last " +
           hist + "; common-password list " + (common ? "on" : "off"));
  std::string days = N(p.short_password_max_age.count());
  Note(r,
       p.allow_short_single_factor ? "二要素なしの短いパスワードは " + days + " 日で失効"
                                   : "二要素なしの短いパスワードは拒否",
       p.allow_short_single_factor
           ? "short single-factor passwords allowed, expiring after " + days + " days"
           : "short single-factor passwords refused");
  std::string version(GuidelineVersionName(ctx.options.version));
  Note(r, "ガイドライン第" + version + "版の基準値と照合",
       "figures checked against guideline " + version);
  if (p.min_length_with_second_factor < 8) {
    Fail(r, "二要素ありで8文字未満を許しています", "fewer than 8 characters with two factors");
  }
  if (p.min_length_single_factor < 13 &&
      (!p.allow_short_single_factor || p.short_password_max_age > std::chrono::days(62))) {
    Fail(r, "二要素なしで13文字未満かつ2か月以内の変更なし",
         "fewer than 13 characters without two factors and no 2-month change");
  }
  if (!common) Fail(r, "よく使われるパスワードの照合が無効です", "the common-password list is off");
}

void Dormant(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (!Keyed(inst, r)) return;
  int checked = 0;
  for (const auth::Account& a : inst.accounts) {
    if (a.disabled || !IsHuman(a)) continue;
    ++checked;
    Clock::WallTime ref = std::max(a.password_changed_at, a.grant.granted_at);
    std::string seen_ja = "利用記録なし", seen_en = "never used";
    if (auto it = inst.events->last_seen_ms.find(a.login_id);
        it != inst.events->last_seen_ms.end()) {
      ref = std::max(ref, FromMs(it->second));
      seen_ja = "最終利用 " + DateMs(it->second);
      seen_en = "last request " + DateMs(it->second);
    }
    if (ctx.now - ref > ctx.options.dormant_after) {
      std::string days = N(Days(ctx.now - ref));
      Fail(r, "利用者 " + a.login_id + " は " + days + " 日間未使用（" + seen_ja + "）",
           "user " + a.login_id + " unused for " + days + " days (" + seen_en + ")");
    }
  }
  std::string limit = N(ctx.options.dormant_after.count());
  Note(r, "有効な利用者 " + N(checked) + " 名を " + limit + " 日基準で確認",
       N(checked) + " active human users checked against " + limit + " days");
}

void BreakGlass(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (!Keyed(inst, r)) return;
  const EventSummary& e = *inst.events;
  size_t reviewed = std::min(e.reviews_ms.size(), e.break_glass.size());
  Note(r,
       "監査ログ上の緊急アクセス " + N(e.break_glass.size()) + " 件、レビュー " +
           N(e.reviews_ms.size()) + " 件",
       N(e.break_glass.size()) + " break-glass uses in the ledger, " + N(e.reviews_ms.size()) +
           " reviews");
  std::string within = N(ctx.options.break_glass_review_within.count());
  // Reviews close uses oldest first; the newest uses are the open ones.
  for (size_t i = reviewed; i < e.break_glass.size(); ++i) {
    const EmergencyUse& u = e.break_glass[i];
    std::string ja =
        u.user + " の緊急アクセス " + DateMs(u.time_ms) + "（監査ログ " + N(u.index) + " 番）";
    std::string en = "break-glass by " + u.user + " at " + DateMs(u.time_ms) + " (ledger leaf " +
                     N(u.index) + ")";
    if (ctx.now - FromMs(u.time_ms) > ctx.options.break_glass_review_within) {
      Fail(r, ja + "が " + within + " 日以内にレビューされていません",
           en + " not reviewed within " + within + " days");
    } else {
      Note(r, ja + "はレビュー待ち", en + " awaiting review");
    }
  }
}

void Ledger(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  const LedgerState& l = inst.ledger;
  if (!l.error.empty()) return Unknown(r, "監査ログを確認できません: " + l.error, l.error);
  Note(r, "記録 " + N(l.leaves) + " 件を再計算、ツリーヘッド " + N(l.heads_checked) + " 件を検証",
       N(l.leaves) + " leaves recomputed, " + N(l.heads_checked) + " tree heads checked");
  size_t shown = 0;
  for (const ledger::LogProblem& p : l.problems) {
    if (++shown > 20) {
      std::string more = N(l.problems.size() - 20);
      Fail(r, "ほか " + more + " 件（mamori audit verify で確認）",
           more + " more problems (run `mamori audit verify`)");
      break;
    }
    std::string where = p.kind + " " + N(p.index);
    Fail(r, "改ざん検知 " + where + ": " + p.what, where + ": " + p.what);
  }
  if (!l.newest_head) {
    if (l.leaves > 0) {
      Fail(r, "署名付きツリーヘッドがありません", "no signed tree head covers the log");
    }
    return;
  }
  Clock::WallTime at = FromMs(l.newest_head->timestamp_ms);
  std::string size = N(l.newest_head->tree_size);
  Note(r, "最新のツリーヘッド: サイズ " + size + "、署名 " + Date(at),
       "newest tree head: size " + size + ", signed " + Date(at));
  if (l.leaves > l.newest_head->tree_size) {
    std::string after = N(l.leaves - l.newest_head->tree_size);
    Note(r, "最新ヘッド以降の記録 " + after + " 件（次の間隔で署名）",
         after + " leaves after the newest head (signed at the next interval)");
  }
  if (ctx.now - at > ctx.options.tree_head_max_age) {
    std::string hours = N(Hours(ctx.now - at));
    Fail(r, "最新のツリーヘッドは " + hours + " 時間前のものです",
         "the newest tree head is " + hours + " hours old");
  }
  if (l.newest_exported_head) {
    std::string exported = N(l.newest_exported_head->tree_size);
    Note(r, "外部出力の写し（audit.sth_export）: サイズ " + exported,
         "exported copy (audit.sth_export): size " + exported);
  } else {
    Note(r, "外部出力されたツリーヘッドなし（audit.sth_export）",
         "no exported tree head (audit.sth_export)");
  }
}

const backup::SnapshotInfo* Newest(const DestinationState& d) {
  return d.snapshots.empty() ? nullptr : &d.snapshots.back();
}

// Checks one destination's newest snapshot: age and verification.
void CheckDestination(const DestinationState& d, std::chrono::hours max_age,
                      const ProbeContext& ctx, ProbeResult& r) {
  const std::string& where = d.spec.path;
  if (!d.error.empty()) return Fail(r, where + ": 読めません: " + d.error, where + ": " + d.error);
  const backup::SnapshotInfo* s = Newest(d);
  if (s == nullptr) {
    return Fail(r, where + ": バックアップがありません", where + ": no snapshot");
  }
  Clock::WallTime at = FromUs(s->created_us);
  std::string hours = N(Hours(ctx.now - at)), limit = N(max_age.count());
  std::string ja =
      where + ": 最新のバックアップ " + s->id + "（" + Date(at) + "、" + hours + " 時間前）";
  std::string en =
      where + ": newest snapshot " + s->id + " taken " + Date(at) + " (" + hours + " h ago)";
  if (ctx.now - at > max_age) {
    Fail(r, ja + "が " + limit + " 時間より古い", en + ", older than " + limit + " h");
  } else {
    Note(r, ja, en);
  }
  if (!s->signature_ok) {
    Fail(r, where + ": バックアップ " + s->id + " の署名が不正です",
         where + ": snapshot " + s->id + " manifest signature bad");
  }
  if (!d.verify_error.empty()) {
    return Fail(r, where + ": 検証に失敗: " + d.verify_error,
                where + ": verify failed: " + d.verify_error);
  }
  if (!d.verify) return;
  for (const backup::Problem& p : d.verify->problems) {
    Fail(r, where + ": 破損 " + p.location + ": " + p.reason,
         where + ": " + p.location + ": " + p.reason);
  }
  if (d.verify->problems.empty()) {
    std::string chunks = N(d.verify->chunks_checked);
    Note(r, where + ": チャンク " + chunks + " 個を検証済み",
         where + ": verified " + chunks + " chunks");
  }
}

void Backups(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (inst.destinations.empty()) {
    return Unknown(r, "バックアップ先が指定されていません（--backup DIR）",
                   "no backup destination given (--backup DIR)");
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
  if (!any) {
    Unknown(r, "オフライン保管のバックアップ先が指定されていません（--offline-backup DIR）",
            "no destination is declared offline (--offline-backup DIR)");
  }
}

void Drill(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (inst.destinations.empty()) {
    return Unknown(r, "バックアップ先が指定されていません（--backup DIR）",
                   "no backup destination given (--backup DIR)");
  }
  std::optional<backup::DrillRecord> newest_ok, newest;
  for (const DestinationState& d : inst.destinations) {
    for (const backup::DrillRecord& dr : d.drills) {
      if (!newest || dr.started_us > newest->started_us) newest = dr;
      if (dr.passed && (!newest_ok || dr.started_us > newest_ok->started_us)) newest_ok = dr;
    }
  }
  if (newest && !newest->passed) {
    std::string when = Date(FromUs(newest->started_us));
    Note(r, "最新の復旧訓練 " + when + " は失敗: " + newest->detail,
         "newest drill " + when + " failed: " + newest->detail);
  }
  if (!newest_ok) {
    return Fail(r, "成功した復旧訓練の記録がありません", "no successful restore drill recorded");
  }
  Clock::WallTime at = FromUs(newest_ok->started_us);
  std::string checked = N(newest_ok->resources_checked),
              ms = N(newest_ok->restore_duration.count()),
              limit = N(ctx.options.drill_max_age.count());
  std::string ja = "最後に成功した復旧訓練 " + Date(at) + "（バックアップ " + newest_ok->snapshot +
                   "、" + checked + " 件確認、復元 " + ms + " ms）";
  std::string en = "last successful drill " + Date(at) + " of snapshot " + newest_ok->snapshot +
                   ": " + checked + " resources checked, restore " + ms + " ms";
  if (ctx.now - at > ctx.options.drill_max_age) {
    Fail(r, ja + "が " + limit + " 日より古い", en + "; older than " + limit + " days");
  } else {
    Note(r, ja, en);
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
    std::string off = std::to_string(offset);
    Note(r, "chronyc tracking: 状態 " + leap + "、誤差 " + off + " 秒",
         "chronyc tracking: leap status " + leap + ", offset " + off + " s");
    if (leap != "Normal") return Fail(r, "chrony が同期していません", "chrony is not synchronised");
    std::string limit = N(ctx.options.max_clock_offset.count());
    if (offset * 1000 > static_cast<double>(ctx.options.max_clock_offset.count())) {
      Fail(r, "時刻の誤差が " + limit + " ms を超えています",
           "clock offset above " + limit + " ms");
    }
    return;
  }
  core::Result<std::string> td = ctx.host.Run({"timedatectl", "show", "-p", "NTPSynchronized"});
  if (td.ok()) {
    std::string v = *td;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    Note(r, "timedatectl: " + v, "timedatectl: " + v);
    if (v != "NTPSynchronized=yes") {
      Fail(r, "systemd-timesyncd が時刻未同期を報告しています",
           "systemd-timesyncd reports the clock unsynchronised");
    }
    return;
  }
  Unknown(r, "chronyc も timedatectl もこの機器で応答しません",
          "neither chronyc nor timedatectl answered on this machine");
}

void KeyRotation(const Installation& inst, const ProbeContext& ctx, ProbeResult& r) {
  if (!inst.key_file_error.empty()) {
    return Fail(r, "マスター鍵ファイル: " + inst.key_file_error, inst.key_file_error);
  }
  if (!inst.key_file_written) {
    return Unknown(r, "鍵ファイルの日付を読めません", "the key file's date cannot be read");
  }
  Clock::WallTime at = *inst.key_file_written;
  std::string days = N(Days(ctx.now - at)), limit = N(ctx.options.key_max_age.count());
  std::string ja = "マスター鍵の更新 " + Date(at) + "（" + days + " 日前）";
  std::string en = "master key file written " + Date(at) + " (" + days + " days ago)";
  if (ctx.now - at > ctx.options.key_max_age) {
    Fail(r, ja + "が " + limit + " 日より古い", en + ", older than " + limit + " days");
  } else {
    Note(r, ja, en);
  }
}

void ClientsMtls(const Installation& inst, const ProbeContext&, ProbeResult& r) {
  if (!Keyed(inst, r)) return;
  int active = 0;
  for (const auth::OAuthClient& c : inst.clients) {
    if (c.revoked) continue;
    ++active;
    if (c.auth_method != "tls_client_auth" || c.certificate_sha256.empty()) {
      Fail(r,
           "システムクライアント " + c.client_id + " は " + c.auth_method +
               " で認証しており、相互TLSではありません",
           "system client " + c.client_id + " authenticates with " + c.auth_method +
               ", not mutual TLS");
    }
  }
  Note(r, "有効なシステムクライアント " + N(active) + " 件", N(active) + " active system clients");
  if (active > 0 && inst.config && inst.config->tls.client_ca.empty()) {
    Fail(r, "tls.client_ca が空のため、クライアント証明書を検証できません",
         "tls.client_ca is empty: the server cannot verify client certificates");
  }
}

void AtRest(const Installation& inst, const ProbeContext&, ProbeResult& r) {
  if (!inst.key_file_error.empty()) {
    return Fail(r, "マスター鍵ファイル: " + inst.key_file_error, inst.key_file_error);
  }
  Note(r, "マスター鍵はパスフレーズで保護: " + inst.key_file_kdf,
       "master key wrapped under the passphrase: " + inst.key_file_kdf);
  Note(r, "記録・監査ログ・バックアップは AES-256-GCM で暗号化（組込み）",
       "records, audit events and backup chunks are sealed with AES-256-GCM (built in)");
  std::string bytes = N(inst.database_bytes_scanned);
  Note(r, "mamori.db の " + bytes + " バイトに平文の FHIR がないことを確認",
       bytes + " bytes of mamori.db scanned for plaintext FHIR");
  for (const std::string& m : inst.plaintext_markers_found) {
    Fail(r, "mamori.db に平文 " + m + " があります", "plaintext " + m + " found in mamori.db");
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

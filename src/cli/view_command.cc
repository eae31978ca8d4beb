// SPDX-License-Identifier: Apache-2.0
#include "cli/view_command.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "backup/destination.h"
#include "backup/repository.h"
#include "cli/master_key.h"
#include "cli/serve_command.h"
#include "crypto/key_file.h"
#include "http/operation_outcome.h"

namespace mamori::cli {
namespace {

namespace fs = std::filesystem;

// The patient page. It holds no patient data: after login it reads through
// the FHIR API with the bearer token, and writes every value with
// textContent (never as HTML).
constexpr std::string_view kViewPage = R"HTML(<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mamori 緊急閲覧（読み取り専用）</title>
<style>
body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;max-width:62em;margin:1em auto;padding:0 1em}
.banner{background:#fff3cd;border:1px solid #e0c36a;padding:.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
label{margin-right:1em}
</style></head><body>
<h1>緊急閲覧（読み取り専用）</h1>
<p class="banner">この画面はバックアップから復元した診療記録を表示しています。記録の作成・変更はできません。
閲覧はすべて監査ログに記録されます。主系サーバの復旧後は、そちらをご利用ください。</p>
<section id="login"><h2>ログイン</h2>
<form id="login-form">
<label>利用者ID <input name="username" autocomplete="username" required></label>
<label>パスワード <input name="password" type="password" autocomplete="current-password" required></label>
<label>確認コード <input name="totp" autocomplete="one-time-code"></label>
<button>ログイン</button></form><p id="login-error" role="alert"></p></section>
<section id="search" hidden><h2>患者検索</h2>
<form id="search-form">
<label>患者ID <input name="id"></label><label>氏名 <input name="name"></label>
<button>検索</button></form><p id="search-error" role="alert"></p>
<table id="results" hidden><thead><tr><th>患者ID</th><th>氏名</th><th>性別</th><th>生年月日</th><th></th></tr></thead><tbody></tbody></table>
<section id="detail" hidden><h2>患者情報</h2><table id="patient"><tbody></tbody></table>
<h3>記録</h3><table id="records"><thead><tr><th>種類</th><th>内容</th><th>日付</th></tr></thead><tbody></tbody></table></section>
</section>
<script>
"use strict";
let token = "";
const $ = (id) => document.getElementById(id);
const gender = {male: "男性", female: "女性", other: "その他", unknown: "不明"};
function cell(row, text) { const td = document.createElement("td"); td.textContent = text ?? ""; row.appendChild(td); return td; }
function nameOf(p) {
  const n = (p.name || [])[0] || {};
  return n.text || [n.family, (n.given || []).join(" ")].filter(Boolean).join(" ") || "（氏名なし）";
}
async function get(path) {
  const r = await fetch(path, {headers: {"Authorization": "Bearer " + token, "Accept": "application/fhir+json"}});
  if (!r.ok) throw new Error(r.status === 403 ? "閲覧の権限がありません。" : r.status === 404 ? "見つかりません。" : "読み込めませんでした（" + r.status + "）。");
  return r.json();
}
$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = Object.fromEntries(new FormData(e.target));
  const r = await fetch("/auth/login", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(f)});
  const body = r.ok ? await r.json() : {};
  if (!r.ok) { $("login-error").textContent = "ログインできませんでした。"; return; }
  if (body.must_change_password) { $("login-error").textContent = "パスワードの変更が必要なアカウントです。"; return; }
  token = body.access_token;
  $("login").hidden = true; $("search").hidden = false;
});
function summary(r) {
  const code = r.code || r.medicationCodeableConcept || r.vaccineCode || {};
  let text = code.text || ((code.coding || [])[0] || {}).display || ((code.coding || [])[0] || {}).code || "";
  if (r.valueQuantity) text += " " + r.valueQuantity.value + " " + (r.valueQuantity.unit || "");
  if (r.valueString) text += " " + r.valueString;
  return text;
}
async function showPatient(id) {
  $("search-error").textContent = "";
  try {
    const p = await get("/fhir/Patient/" + encodeURIComponent(id));
    const body = $("patient").tBodies[0]; body.replaceChildren();
    const ident = (p.identifier || []).map((i) => i.value).join(", ");
    for (const [k, v] of [["患者ID", p.id], ["氏名", nameOf(p)], ["性別", gender[p.gender] || ""], ["生年月日", p.birthDate], ["識別子", ident]]) {
      const row = body.insertRow(); cell(row, k); cell(row, v);
    }
    const records = $("records").tBodies[0]; records.replaceChildren();
    for (const type of ["Condition", "AllergyIntolerance", "MedicationRequest", "Observation"]) {
      try {
        const bundle = await get("/fhir/" + type + "?subject=Patient/" + encodeURIComponent(p.id));
        for (const e of bundle.entry || []) {
          const r = e.resource, row = records.insertRow();
          cell(row, type); cell(row, summary(r));
          cell(row, r.effectiveDateTime || r.recordedDate || r.authoredOn || r.onsetDateTime || "");
        }
      } catch (err) { /* a type this account may not read */ }
    }
    $("detail").hidden = false;
  } catch (err) { $("search-error").textContent = err.message; }
}
$("search-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = Object.fromEntries(new FormData(e.target));
  $("search-error").textContent = ""; $("detail").hidden = true;
  if (f.id) { await showPatient(f.id.trim()); return; }
  try {
    const bundle = await get("/fhir/Patient?name=" + encodeURIComponent(f.name || ""));
    const body = $("results").tBodies[0]; body.replaceChildren();
    for (const e of bundle.entry || []) {
      const p = e.resource, row = body.insertRow();
      cell(row, p.id); cell(row, nameOf(p)); cell(row, gender[p.gender] || ""); cell(row, p.birthDate);
      const b = document.createElement("button"); b.textContent = "表示"; b.onclick = () => showPatient(p.id);
      cell(row, "").appendChild(b);
    }
    $("results").hidden = false;
    if (!(bundle.entry || []).length) $("search-error").textContent = "該当する患者はいません。";
  } catch (err) { $("search-error").textContent = err.message; }
});
</script></body></html>
)HTML";

bool AllowedWrite(std::string_view pattern) {
  return pattern == "/auth/login" || pattern == "/auth/logout" || pattern == "/auth/password" ||
         pattern == "/auth/break-glass";
}

}  // namespace

std::optional<http::Response> ReadOnlyGate::Check(const http::Request& request,
                                                  std::string_view method, std::string_view pattern,
                                                  http::PathParams& params) const {
  if (method == "GET" && pattern == "/view") return std::nullopt;
  if (method != "GET" && method != "HEAD" && !AllowedWrite(pattern)) {
    http::Response r = http::OperationOutcomeResponse(
        405, http::IssueCode::kNotSupported,
        "this is the read-only emergency viewer (mamori view): records cannot be created or "
        "changed here; write to the main server once it is back");
    r.headers.Add("Allow", "GET, HEAD");
    return r;
  }
  return inner_.Check(request, method, pattern, params);
}

core::Status RegisterViewerRoutes(http::Router& router) {
  return router.Add("GET", "/view", [](const http::Request&, const http::PathParams&) {
    http::Response r;
    r.status = 200;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(kViewPage);
    r.headers.Add("Cache-Control", "no-store");
    return r;
  });
}

void ViewCommand::Register(CLI::App& app) {
  view_ = app.add_subcommand(
      "view", "Emergency viewer: serve a backup read-only (FHIR API and a patient page)");
  view_->add_option("--from", from_, "Backup destination (directory or archive:FILE)")->required();
  view_->add_option("--snapshot", snapshot_, "Snapshot id; the newest verified by default");
  view_->add_option("--listen", listen_, "host:port (default: the snapshot's server.listen)");
  view_->add_option("--passphrase-file", passphrase_file_,
                    "Passphrase in force when the snapshot was taken");
  view_->add_option("--keep-audit", keep_audit_,
                    "On exit, move the temporary copy (encrypted records and the viewer's audit "
                    "events) here instead of deleting it");
}

std::optional<core::Status> ViewCommand::Dispatch(core::Env& env) {
  if (view_ == nullptr || !view_->parsed()) return std::nullopt;
  MAMORI_ASSIGN_OR_RETURN(auto dest, backup::OpenExistingDestination(from_));
  if (snapshot_.empty()) {
    MAMORI_ASSIGN_OR_RETURN(auto snapshots, backup::ListSnapshots(*dest));
    for (const backup::SnapshotInfo& s : snapshots) {
      if (s.signature_ok) snapshot_ = s.id;
    }
    if (snapshot_.empty()) return core::NotFoundError("no verified snapshot in " + from_);
  }
  if (!keep_audit_.empty() && fs::exists(keep_audit_)) {
    return core::FailedPreconditionError(keep_audit_ +
                                         " exists; name a new directory for "
                                         "--keep-audit");
  }
  MAMORI_ASSIGN_OR_RETURN(std::string key_file, backup::SnapshotKeyFile(*dest, snapshot_));
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes passphrase,
      ObtainPassphrase(passphrase_file_, env, "Passphrase of the backed-up installation", false));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek,
                          crypto::OpenKeyFile(key_file, crypto::AsStringView(passphrase)));
  MAMORI_ASSIGN_OR_RETURN(backup::BackupKeys keys, backup::OpenRepositoryKeys(*dest, kek));

  std::string pattern = (fs::temp_directory_path() / "mamori-view-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return core::UnavailableError("cannot create a temporary directory under " +
                                  fs::temp_directory_path().string() + "; set TMPDIR");
  }
  std::string scratch = pattern;  // 0700 (mkdtemp)
  std::string data_dir = scratch + "/data";
  core::Status served = [&]() -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(backup::RestoreSummary restored,
                            backup::RestoreSnapshot(*dest, keys, snapshot_, data_dir, env));
    std::error_code ec;
    fs::permissions(data_dir, fs::perms::owner_all, ec);
    std::fprintf(stderr,
                 "mamori: emergency viewer: snapshot %s restored (%llu files, %lld ms); "
                 "read-only; patient page at /view; Ctrl-C stops and removes the copy\n",
                 snapshot_.c_str(), static_cast<unsigned long long>(restored.files),
                 static_cast<long long>(restored.duration.count()));
    ServeOptions options{
        .data_dir = data_dir, .passphrase = std::move(passphrase), .read_only = true};
    if (!listen_.empty()) options.listen = listen_;
    return Serve(options, env);
  }();
  std::error_code ec;
  if (!keep_audit_.empty() && fs::exists(data_dir, ec)) {
    fs::rename(data_dir, keep_audit_, ec);
    if (ec) {
      std::fprintf(stderr, "mamori: cannot move the viewer's copy to %s (%s); it stays in %s\n",
                   keep_audit_.c_str(), ec.message().c_str(), data_dir.c_str());
      return served;
    }
  }
  fs::remove_all(scratch, ec);
  return served;
}

}  // namespace mamori::cli

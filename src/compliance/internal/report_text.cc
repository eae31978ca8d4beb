// SPDX-License-Identifier: Apache-2.0
#include "compliance/internal/report_text.h"

#include <map>

namespace mamori::compliance::internal {
namespace {

struct Words {
  const char* ja;
  const char* en;
};

const std::map<std::string_view, Words>& Table() {
  static const auto* table = new std::map<std::string_view, Words>{
      {"report_title", {"医療情報システム安全管理 評価報告書", "Compliance assessment report"}},
      {"generated_at", {"作成日時", "Generated at"}},
      {"data_dir", {"データディレクトリ", "Data directory"}},
      {"guideline", {"ガイドライン版", "Guideline version"}},
      {"pattern", {"参照パターン", "Reference pattern"}},
      {"pattern_assumed",
       {"（未記録のため仮定。mamori assess pattern で記録してください）",
        "(assumed: record it with mamori assess pattern)"}},
      {"verdict", {"判定", "Verdict"}},
      {"verdict_ok", {"必須項目に不適合なし", "no required item fails"}},
      {"verdict_fail", {"不適合の必須項目あり", "a required item fails"}},
      {"summary", {"概要", "Summary"}},
      {"area", {"領域", "Area"}},
      {"score", {"達成率", "Score"}},
      {"satisfied", {"適合", "Met"}},
      {"failing", {"不適合", "Failing"}},
      {"unknown", {"未確認", "Unknown"}},
      {"applicable", {"対象", "Applicable"}},
      {"failing_items", {"不適合項目と対処", "Failing items and the fix for each"}},
      {"none", {"なし", "none"}},
      {"items", {"全項目と証跡", "Every item with its evidence"}},
      {"requirement", {"要求事項", "Requirement"}},
      {"state", {"状態", "State"}},
      {"owner", {"責任主体", "Responsible"}},
      {"evidence", {"証跡", "Evidence"}},
      {"checklist", {"チェックリスト", "Checklist"}},
      {"item", {"項目", "Item"}},
      {"answer", {"回答", "Answer"}},
      {"matrix", {"責任分界表", "Responsibility matrix (責任分界)"}},
      {"institution", {"医療機関", "Institution"}},
      {"vendor", {"システム事業者", "System vendor"}},
      {"cloud", {"クラウド・サービス事業者", "Cloud or service provider"}},
      {"party_name", {"名称", "Name"}},
      {"default_owner", {"（既定）", "(default)"}},
      {"ledger", {"監査ログ（署名付きツリーヘッド）", "Audit ledger (signed tree head)"}},
      {"leaves", {"記録数", "Leaves"}},
      {"ledger_problems", {"検証で見つかった問題", "Problems found by verification"}},
      {"tree_size", {"ツリーサイズ", "Tree size"}},
      {"signed_at", {"署名日時", "Signed at"}},
      {"root_hash", {"ルートハッシュ", "Root hash"}},
      {"signed_tree_head", {"署名付きツリーヘッド（16進）", "Signed tree head (hex)"}},
      {"signature_note",
       {"この報告書ファイルには Ed25519 署名（.sig）が付きます。openssl pkeyutl -verify -pubin "
        "-inkey report.pub.pem -rawin -in 報告書 -sigfile 報告書.sig で検証できます。",
        "This report file comes with an Ed25519 signature (.sig). Verify it with openssl pkeyutl "
        "-verify -pubin -inkey report.pub.pem -rawin -in REPORT -sigfile REPORT.sig."}},
  };
  return *table;
}

}  // namespace

std::string L(Language lang, std::string_view key) {
  auto it = Table().find(key);
  if (it == Table().end()) return std::string(key);
  return lang == Language::kJa ? it->second.ja : it->second.en;
}

std::string AreaName(Volume volume, Language lang) {
  bool ja = lang == Language::kJa;
  switch (volume) {
    case Volume::kGovernance:
      return ja ? "経営管理編" : "Governance";
    case Volume::kManagement:
      return ja ? "企画管理編" : "Management";
    case Volume::kControl:
      return ja ? "システム運用編" : "System operation";
    case Volume::kEmergency:
      return ja ? "非常時対応" : "Emergencies";
    case Volume::kChecklist:
      return ja ? "チェックリスト" : "Checklist";
  }
  return "";
}

std::string StateLabel(ItemState state, Language lang) {
  bool ja = lang == Language::kJa;
  switch (state) {
    case ItemState::kPass:
      return ja ? "適合" : "pass";
    case ItemState::kFail:
      return ja ? "不適合" : "fail";
    case ItemState::kUnknown:
      return ja ? "未確認" : "unknown";
    case ItemState::kAttested:
      return ja ? "確認済（申告）" : "attested";
    case ItemState::kCoveredByContract:
      return ja ? "契約により事業者対応" : "covered by contract";
    case ItemState::kNotApplicable:
      return ja ? "対象外" : "not applicable";
  }
  return "";
}

std::string PartyLabel(Party party, Language lang) {
  bool ja = lang == Language::kJa;
  switch (party) {
    case Party::kInstitution:
      return ja ? "医療機関" : "institution";
    case Party::kVendor:
      return ja ? "システム事業者" : "system vendor";
    case Party::kCloud:
      return ja ? "クラウド事業者" : "cloud provider";
  }
  return "";
}

}  // namespace mamori::compliance::internal

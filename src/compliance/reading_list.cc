// SPDX-License-Identifier: Apache-2.0
// The reading list of a pattern (overview 「医療機関等の特性に応じたガイドライン
// 参照箇所 (2/2)」, GUIDELINE.md section 6), kept apart from pattern.cc so the
// table reads as the slide does.

#include "compliance/pattern.h"

namespace mamori::compliance {
namespace {

constexpr std::string_view kContractNote =
    "where the vendor contract covers it, after confirming with the vendor";

void AddConditional(const PatternAnswers& a, std::vector<ChapterReading>& out) {
  const Reading esig = a.uses_e_signatures ? Reading::kRead : Reading::kNotNeeded;
  const Reading scan = a.digitises_paper ? Reading::kRead : Reading::kNotNeeded;
  out.push_back({Volume::kManagement, "14", esig, "法令で定められた記名・押印のための電子署名"});
  out.push_back({Volume::kControl, "15", esig, "電子署名、タイムスタンプ"});
  out.push_back({Volume::kManagement, "16", scan, "紙媒体等で作成した医療情報の電子化"});
  out.push_back({Volume::kControl, "16", scan, "紙媒体等の電子化"});
}

void AddOnPremises(std::vector<ChapterReading>& out) {
  out.push_back({Volume::kManagement, "all", Reading::kRead, ""});
  out.push_back({Volume::kControl, "all", Reading::kRead, ""});
}

void AddCloud(std::vector<ChapterReading>& out) {
  const std::string note(kContractNote);
  out.push_back({Volume::kManagement, "all except the items below", Reading::kRead, ""});
  out.push_back({Volume::kManagement, "4.4", Reading::kMaySimplifyUnderContract, note});
  out.push_back({Volume::kManagement, "5", Reading::kMaySimplifyUnderContract, note});
  out.push_back({Volume::kManagement, "15 (遵守事項 other than ④⑥⑦⑧⑬)",
                 Reading::kMaySimplifyUnderContract, note});
  out.push_back({Volume::kManagement, "15 ④⑥⑦⑧⑬", Reading::kRead, ""});
  out.push_back({Volume::kControl, "1–4, 6–8, 11, 12.3", Reading::kRead, "overview slides"});
  out.push_back({Volume::kControl, "12 ⑤⑥, 14, 16, 18", Reading::kRead,
                 "headings marked [Ⅰ～Ⅳ] (GUIDELINE section 6)"});
  out.push_back({Volume::kControl, "other chapters", Reading::kMaySimplifyUnderContract, note});
}

}  // namespace

std::vector<ChapterReading> ReadingList(Pattern pattern, const PatternAnswers& answers) {
  std::vector<ChapterReading> out;
  out.push_back({Volume::kGovernance, "all", Reading::kRead, ""});
  if (pattern == Pattern::kII || pattern == Pattern::kIV) {
    AddCloud(out);
  } else {
    AddOnPremises(out);
  }
  // III and IV read 「担当者」 as 「企画管理者」 in every line; PatternAssessment
  // carries that as read_tantousha_as_kikaku_kanrisha rather than a line here.
  AddConditional(answers, out);
  return out;
}

}  // namespace mamori::compliance

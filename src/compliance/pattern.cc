// SPDX-License-Identifier: Apache-2.0

#include "compliance/pattern.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

namespace mamori::compliance {
namespace {

bool IsCloudPattern(Pattern p) { return p == Pattern::kII || p == Pattern::kIV; }

// "12.3" -> {12, 3, 0}; "15 ⑥" -> {15, 0, 6}; "5" -> {5, 0, 0}.
struct Section {
  int chapter = 0;
  int sub = 0;   // 0: the whole chapter
  int item = 0;  // 遵守事項 ①..⑳; 0: none given
};

std::optional<int> TakeNumber(std::string_view& s) {
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || n <= 0 || n > 99) return std::nullopt;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  return n;
}

// ① is U+2460, UTF-8 E2 91 A0; ⑳ is U+2473, E2 91 B3.
std::optional<int> TakeCircledDigit(std::string_view s) {
  if (s.size() != 3 || s[0] != '\xE2' || s[1] != '\x91') return std::nullopt;
  auto b = static_cast<unsigned char>(s[2]);
  if (b < 0xA0 || b > 0xB3) return std::nullopt;
  return b - 0xA0 + 1;
}

std::optional<Section> ParseSection(std::string_view s) {
  Section out;
  std::optional<int> chapter = TakeNumber(s);
  if (!chapter) return std::nullopt;
  out.chapter = *chapter;
  if (s.starts_with('.')) {
    s.remove_prefix(1);
    std::optional<int> sub = TakeNumber(s);
    if (!sub) return std::nullopt;
    out.sub = *sub;
  }
  if (s.empty()) return out;
  if (!s.starts_with(' ')) return std::nullopt;
  std::optional<int> item = TakeCircledDigit(s.substr(1));
  if (!item) return std::nullopt;
  out.item = *item;
  return out;
}

// 企画 15: II and IV may not simplify 遵守事項 ④⑥⑦⑧⑬ (overview table).
constexpr std::array<int, 5> kPlan15AlwaysItems = {4, 6, 7, 8, 13};

Reading ManagementReading(Pattern p, const PatternAnswers& a, const Section& s) {
  if (s.chapter == 14 && !a.uses_e_signatures) return Reading::kNotNeeded;
  if (s.chapter == 16 && !a.digitises_paper) return Reading::kNotNeeded;
  if (!IsCloudPattern(p)) return Reading::kRead;
  if (s.chapter == 4 && s.sub == 4) return Reading::kMaySimplifyUnderContract;
  if (s.chapter == 5) return Reading::kMaySimplifyUnderContract;
  if (s.chapter == 15 && (s.sub != 0 || s.item != 0)) {
    bool always = std::ranges::find(kPlan15AlwaysItems, s.item) != kPlan15AlwaysItems.end();
    return always ? Reading::kRead : Reading::kMaySimplifyUnderContract;
  }
  return Reading::kRead;
}

// シス chapters II and IV always read: 1-4, 6-8, 11 and 12.3 (overview); also
// 12 ⑤⑥ and chapters 14 and 18, whose headings in the final text are marked
// [Ⅰ～Ⅳ] (GUIDELINE section 6, "Chapter markers"; the draft 概説編 table 3-2
// lists 14 and 18 too). Reading more than the slides ask is never wrong.
bool ControlAlwaysRead(const Section& s) {
  int c = s.chapter;
  if ((c >= 1 && c <= 4) || (c >= 6 && c <= 8) || c == 11 || c == 14 || c == 18) return true;
  if (c == 12) return s.sub == 3 || s.item == 5 || s.item == 6 || (s.sub == 0 && s.item == 0);
  return false;
}

Reading ControlReading(Pattern p, const PatternAnswers& a, const Section& s) {
  if (s.chapter == 15 && !a.uses_e_signatures) return Reading::kNotNeeded;
  if (s.chapter == 16 && !a.digitises_paper) return Reading::kNotNeeded;
  if (!IsCloudPattern(p) || s.chapter == 16) return Reading::kRead;  // 16 is marked [Ⅰ～Ⅳ]
  return ControlAlwaysRead(s) ? Reading::kRead : Reading::kMaySimplifyUnderContract;
}

bool HasVendor(const PatternAnswers& a) {
  return a.has_vendor_contract || a.location != SystemLocation::kOnPremises;
}

// Whether a feature condition holds, and the reason when it does not.
std::optional<std::string> UnmetCondition(Condition c, const PatternAnswers& a) {
  switch (c) {
    case Condition::kNone:
    case Condition::kContract:
      return std::nullopt;
    case Condition::kESignature:
      return a.uses_e_signatures ? std::nullopt : std::optional<std::string>("no e-signatures");
    case Condition::kPaperDigitisation:
      return a.digitises_paper ? std::nullopt : std::optional<std::string>("paper not digitised");
    case Condition::kVendor:
      return HasVendor(a) ? std::nullopt : std::optional<std::string>("no vendor contract");
    case Condition::kExternalDestination:
      return a.external_destinations ? std::nullopt
                                     : std::optional<std::string>("no external destination");
    case Condition::kRemoteAccess:
      return a.remote_access ? std::nullopt : std::optional<std::string>("no remote access");
    case Condition::kPatientAccess:
      return a.patient_access ? std::nullopt : std::optional<std::string>("no patient access");
    case Condition::kRemoteMaintenance:
      return a.remote_maintenance ? std::nullopt
                                  : std::optional<std::string>("no remote maintenance");
    case Condition::kMobileDevices:
      return a.mobile_devices ? std::nullopt : std::optional<std::string>("no mobile devices");
    case Condition::kIotDevices:
      return a.iot_devices ? std::nullopt : std::optional<std::string>("no IoT or medical devices");
    case Condition::kPharmacy:
      return a.pharmacy ? std::nullopt : std::optional<std::string>("not a pharmacy");
  }
  return std::nullopt;
}

// Lower is stronger: a row that one clause requires is required.
int Strength(Applicability a) { return static_cast<int>(a); }

RowApplicability ClassifyClause(const Requirement& row, const PatternClause& clause,
                                const PatternAnswers& answers) {
  if (clause.condition == Condition::kContract) {
    return {&row, Applicability::kContractMayCover, clause.condition_text};
  }
  if (std::optional<std::string> unmet = UnmetCondition(clause.condition, answers)) {
    return {&row, Applicability::kNotApplicable, *unmet};
  }
  return {&row, Applicability::kRequired, ""};
}

}  // namespace

std::string_view ReadingName(Reading reading) {
  constexpr std::array<std::string_view, 3> kNames = {"read", "may-simplify-under-contract",
                                                      "not-needed"};
  return kNames[static_cast<size_t>(reading)];
}

std::string_view ApplicabilityName(Applicability applicability) {
  constexpr std::array<std::string_view, 3> kNames = {"required", "contract-may-cover",
                                                      "not-applicable"};
  return kNames[static_cast<size_t>(applicability)];
}

Pattern DeterminePattern(const PatternAnswers& a) {
  const bool cloud =
      a.only_online_eligibility_with_paper_records || a.location == SystemLocation::kVendorCloud;
  if (cloud) return a.dedicated_system_staff ? Pattern::kII : Pattern::kIV;
  return a.dedicated_system_staff ? Pattern::kI : Pattern::kIII;
}

core::Result<Reading> ReadingFor(Pattern pattern, const PatternAnswers& answers, Volume volume,
                                 std::string_view section) {
  std::optional<Section> s = ParseSection(section);
  if (!s) return core::InvalidArgumentError("cannot read section '" + std::string(section) + "'");
  switch (volume) {
    case Volume::kGovernance:
      return Reading::kRead;  // every pattern reads 経営管理編 in full
    case Volume::kManagement:
      return ManagementReading(pattern, answers, *s);
    case Volume::kControl:
      return ControlReading(pattern, answers, *s);
    case Volume::kEmergency:
    case Volume::kChecklist:
      break;
  }
  return core::InvalidArgumentError("only 経営, 企画 and シス have chapters");
}

RowApplicability Classify(const Requirement& row, Pattern pattern, const PatternAnswers& answers) {
  std::optional<RowApplicability> best;
  for (const PatternClause& clause : row.patterns) {
    if (std::ranges::find(clause.patterns, pattern) == clause.patterns.end()) continue;
    RowApplicability r = ClassifyClause(row, clause, answers);
    if (!best || Strength(r.applicability) < Strength(best->applicability)) best = std::move(r);
  }
  if (best) return *best;
  // A row for I and III only (a chapter marked [Ⅰ、Ⅲ]) is not dropped in II and
  // IV: the vendor carries it under the contract (GUIDELINE section 6).
  if (IsCloudPattern(pattern)) {
    return {&row, Applicability::kContractMayCover, "marked for I, III: carried by the vendor"};
  }
  return {&row, Applicability::kNotApplicable,
          "not listed for pattern " + std::string(PatternName(pattern))};
}

PatternAssessment AssessPattern(const PatternAnswers& answers, const Catalogue& catalogue,
                                GuidelineVersion version) {
  PatternAssessment out;
  out.pattern = DeterminePattern(answers);
  out.read_tantousha_as_kikaku_kanrisha =
      out.pattern == Pattern::kIII || out.pattern == Pattern::kIV;
  out.mixed_estate = answers.location == SystemLocation::kBoth;
  out.confirm_pattern_with_vendor =
      answers.only_online_eligibility_with_paper_records || out.mixed_estate;
  out.version = version;
  out.reading_list = ReadingList(out.pattern, answers);
  for (const Requirement* row : catalogue.ForVersion(version)) {
    out.rows.push_back(Classify(*row, out.pattern, answers));
  }
  return out;
}

}  // namespace mamori::compliance

// SPDX-License-Identifier: Apache-2.0
// Reference pattern tests (issue 9; GUIDELINE.md section 6 and the overview
// slides 「医療機関等の特性に応じたガイドライン参照箇所」). Table-driven: one row per
// pattern and per special case the overview names.

#include "compliance/pattern.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::compliance {
namespace {

using core::StatusCode;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;

constexpr SystemLocation kOnPrem = SystemLocation::kOnPremises;
constexpr SystemLocation kCloud = SystemLocation::kVendorCloud;
constexpr SystemLocation kBoth = SystemLocation::kBoth;

struct PatternCase {
  const char* name;
  SystemLocation location;
  bool staff;
  bool online_eligibility_only;
  Pattern expected;
};

TEST(PatternTest, DeterminePatternFollowsTheOverviewTable) {
  const std::vector<PatternCase> cases = {
      {"on-premises with staff", kOnPrem, true, false, Pattern::kI},
      {"cloud with staff", kCloud, true, false, Pattern::kII},
      {"on-premises without staff", kOnPrem, false, false, Pattern::kIII},
      {"cloud without staff", kCloud, false, false, Pattern::kIV},
      // Mixed estate: the stricter pattern for the shared volumes (section 6).
      {"mixed with staff", kBoth, true, false, Pattern::kI},
      {"mixed without staff", kBoth, false, false, Pattern::kIII},
      // Paper charts + online eligibility confirmation only: II or IV (overview 補).
      {"online eligibility only, staff", kOnPrem, true, true, Pattern::kII},
      {"online eligibility only, no staff", kOnPrem, false, true, Pattern::kIV},
      {"online eligibility only, cloud, no staff", kCloud, false, true, Pattern::kIV},
  };
  for (const PatternCase& c : cases) {
    PatternAnswers a{.location = c.location,
                     .dedicated_system_staff = c.staff,
                     .only_online_eligibility_with_paper_records = c.online_eligibility_only};
    EXPECT_EQ(DeterminePattern(a), c.expected) << c.name;
  }
}

struct ReadingCase {
  Pattern pattern;
  Volume volume;
  const char* section;
  bool e_signatures;
  bool digitises;
  Reading expected;
};

TEST(PatternTest, ReadingForFollowsTheOverviewReadingTable) {
  constexpr Volume kGov = Volume::kGovernance;
  constexpr Volume kPlan = Volume::kManagement;
  constexpr Volume kSys = Volume::kControl;
  constexpr Reading kRead = Reading::kRead;
  constexpr Reading kSimplify = Reading::kMaySimplifyUnderContract;
  constexpr Reading kSkip = Reading::kNotNeeded;
  const std::vector<ReadingCase> cases = {
      // 経営管理編: every pattern reads all of it.
      {Pattern::kII, kGov, "3", false, false, kRead},
      {Pattern::kIV, kGov, "5.2", false, false, kRead},
      // 企画管理編: I and III read all; II and IV may simplify 4.4, 5 and 15 except ④⑥⑦⑧⑬.
      {Pattern::kI, kPlan, "4.4", false, false, kRead},
      {Pattern::kIII, kPlan, "5", false, false, kRead},
      {Pattern::kII, kPlan, "4.4", false, false, kSimplify},
      {Pattern::kIV, kPlan, "4.4", false, false, kSimplify},
      {Pattern::kII, kPlan, "4.3", false, false, kRead},
      {Pattern::kII, kPlan, "5", false, false, kSimplify},
      {Pattern::kIV, kPlan, "5.3", false, false, kSimplify},
      {Pattern::kII, kPlan, "15 ④", false, false, kRead},
      {Pattern::kII, kPlan, "15 ⑥", false, false, kRead},
      {Pattern::kIV, kPlan, "15 ⑦", false, false, kRead},
      {Pattern::kIV, kPlan, "15 ⑧", false, false, kRead},
      {Pattern::kII, kPlan, "15 ⑬", false, false, kRead},
      {Pattern::kII, kPlan, "15 ③", false, false, kSimplify},
      {Pattern::kIV, kPlan, "15 ⑤", false, false, kSimplify},
      {Pattern::kII, kPlan, "15", false, false, kRead},  // the whole chapter mixes both
      {Pattern::kIII, kPlan, "15 ③", false, false, kRead},
      {Pattern::kII, kPlan, "11", false, false, kRead},
      // システム運用編: II and IV always read 1-4, 6-8, 11, 12.3; the rest may be simplified.
      {Pattern::kII, kSys, "1", false, false, kRead},
      {Pattern::kIV, kSys, "4", false, false, kRead},
      {Pattern::kII, kSys, "5", false, false, kSimplify},
      {Pattern::kIV, kSys, "6", false, false, kRead},
      {Pattern::kII, kSys, "8", false, false, kRead},
      {Pattern::kIV, kSys, "9", false, false, kSimplify},
      {Pattern::kII, kSys, "10", false, false, kSimplify},
      {Pattern::kIV, kSys, "11", false, false, kRead},
      {Pattern::kII, kSys, "12.3", false, false, kRead},
      {Pattern::kIV, kSys, "12.2", false, false, kSimplify},
      {Pattern::kII, kSys, "12 ⑤", false, false, kRead},  // heading: ⑤⑥ also for II, IV
      {Pattern::kII, kSys, "12 ①", false, false, kSimplify},
      {Pattern::kIV, kSys, "13", false, false, kSimplify},
      {Pattern::kII, kSys, "17", false, false, kSimplify},
      {Pattern::kII, kSys, "14", false, false, kRead},  // headings marked [Ⅰ～Ⅳ]
      {Pattern::kIV, kSys, "18", false, false, kRead},
      {Pattern::kI, kSys, "17", false, false, kRead},
      {Pattern::kIII, kSys, "13", false, false, kRead},
      // Conditional chapters: e-signatures (企画 14, シス 15), digitisation (企画 16, シス 16).
      {Pattern::kI, kPlan, "14", false, false, kSkip},
      {Pattern::kI, kPlan, "14.2", true, false, kRead},
      {Pattern::kII, kSys, "15", false, false, kSkip},
      {Pattern::kI, kSys, "15", true, false, kRead},
      {Pattern::kIII, kPlan, "16", false, false, kSkip},
      {Pattern::kIV, kPlan, "16", false, true, kRead},
      {Pattern::kIV, kSys, "16", false, false, kSkip},
      {Pattern::kIV, kSys, "16", false, true, kRead},
  };
  for (const ReadingCase& c : cases) {
    PatternAnswers a{.uses_e_signatures = c.e_signatures, .digitises_paper = c.digitises};
    EXPECT_THAT(ReadingFor(c.pattern, a, c.volume, c.section), IsOkAndHolds(c.expected))
        << PatternName(c.pattern) << " " << VolumeName(c.volume) << " " << c.section;
  }
}

TEST(PatternTest, ReadingForRejectsWhatIsNotAChapter) {
  PatternAnswers a;
  for (const char* bad : {"", "x", "12.", "15 ⑥⑦", "15⑥", "0", "4.4.1", "15 ㉑"}) {
    EXPECT_THAT(ReadingFor(Pattern::kII, a, Volume::kControl, bad),
                StatusIs(StatusCode::kInvalidArgument))
        << bad;
  }
  EXPECT_THAT(ReadingFor(Pattern::kII, a, Volume::kChecklist, "1"),
              StatusIs(StatusCode::kInvalidArgument));
}

// A row built by hand, so Classify is tested apart from the catalogue data.
Requirement RowWith(std::vector<PatternClause> clauses) {
  Requirement r;
  r.id = "SYS-99";
  r.patterns = std::move(clauses);
  return r;
}

const std::vector<Pattern> kAll = {Pattern::kI, Pattern::kII, Pattern::kIII, Pattern::kIV};

struct ClassifyCase {
  const char* name;
  Requirement row;
  Pattern pattern;
  PatternAnswers answers;
  Applicability expected;
};

TEST(PatternTest, ClassifyAppliesConditionsAndContractCover) {
  Requirement always = RowWith({{kAll}});
  Requirement contract =
      RowWith({{{Pattern::kI, Pattern::kIII}},
               {{Pattern::kII, Pattern::kIV}, Condition::kContract, "unless covered by contract"}});
  Requirement onprem_only = RowWith({{{Pattern::kI, Pattern::kIII}}});
  Requirement esig = RowWith({{kAll, Condition::kESignature, "only if e-signatures are used"}});
  Requirement scan = RowWith({{kAll, Condition::kPaperDigitisation, "only if paper is digitised"}});
  Requirement vendor =
      RowWith({{{Pattern::kII, Pattern::kIV}},
               {{Pattern::kI, Pattern::kIII}, Condition::kVendor, "with a vendor"}});
  Requirement pharmacy = RowWith({{kAll, Condition::kPharmacy, "pharmacies"}});
  Requirement remote = RowWith({{kAll, Condition::kRemoteAccess, "where remote access exists"}});
  constexpr auto kReq = Applicability::kRequired;
  constexpr auto kCover = Applicability::kContractMayCover;
  constexpr auto kNa = Applicability::kNotApplicable;
  const PatternAnswers none;
  const std::vector<ClassifyCase> cases = {
      {"always, I", always, Pattern::kI, none, kReq},
      {"always, IV", always, Pattern::kIV, none, kReq},
      {"contract, I", contract, Pattern::kI, none, kReq},
      {"contract, III", contract, Pattern::kIII, none, kReq},
      {"contract, II", contract, Pattern::kII, none, kCover},
      {"contract, IV", contract, Pattern::kIV, none, kCover},
      // A [Ⅰ、Ⅲ] row is carried by the cloud vendor in II and IV, not dropped.
      {"I, III only, IV", onprem_only, Pattern::kIV, none, kCover},
      {"I, III only, III", onprem_only, Pattern::kIII, none, kReq},
      {"e-signature unused", esig, Pattern::kI, none, kNa},
      {"e-signature used", esig, Pattern::kI, {.uses_e_signatures = true}, kReq},
      {"digitisation unused", scan, Pattern::kIV, none, kNa},
      {"digitisation used", scan, Pattern::kIV, {.digitises_paper = true}, kReq},
      {"vendor row, II", vendor, Pattern::kII, none, kReq},
      {"vendor row, I without vendor", vendor, Pattern::kI, none, kNa},
      {"vendor row, I with vendor", vendor, Pattern::kI, {.has_vendor_contract = true}, kReq},
      {"pharmacy row, clinic", pharmacy, Pattern::kIII, none, kNa},
      {"pharmacy row, pharmacy", pharmacy, Pattern::kIII, {.pharmacy = true}, kReq},
      {"remote row, default answer", remote, Pattern::kII, none, kReq},
      {"remote row, no remote access", remote, Pattern::kII, {.remote_access = false}, kNa},
  };
  for (const ClassifyCase& c : cases) {
    RowApplicability got = Classify(c.row, c.pattern, c.answers);
    EXPECT_EQ(got.applicability, c.expected) << c.name << ": " << got.reason;
    EXPECT_EQ(got.row, &c.row) << c.name;
    if (c.expected != kReq) {
      EXPECT_FALSE(got.reason.empty()) << c.name;
    }
  }
}

const RowApplicability& RowOf(const PatternAssessment& p, std::string_view id) {
  for (const RowApplicability& r : p.rows) {
    if (r.row->id == id) return r;
  }
  ADD_FAILURE() << id << " not assessed";
  static const RowApplicability kNone;
  return kNone;
}

TEST(PatternTest, PaperClinicWithOnlineEligibilityIsPatternFourWithoutConditionalChapters) {
  PatternAnswers a{.location = kOnPrem,
                   .dedicated_system_staff = false,
                   .only_online_eligibility_with_paper_records = true};
  PatternAssessment p = AssessPattern(a, Catalogue::Embedded(), GuidelineVersion::k6_0);
  EXPECT_EQ(p.pattern, Pattern::kIV);
  EXPECT_TRUE(p.confirm_pattern_with_vendor);
  EXPECT_TRUE(p.read_tantousha_as_kikaku_kanrisha);
  EXPECT_EQ(p.rows.size(), Catalogue::Embedded().ForVersion(GuidelineVersion::k6_0).size());
  for (const char* id :
       {"PLAN-29", "PLAN-30", "SYS-49", "SYS-50", "PLAN-34", "PLAN-35", "SYS-51"}) {
    EXPECT_EQ(RowOf(p, id).applicability, Applicability::kNotApplicable) << id;
  }
  // GUIDELINE section 6: 4.4 (PLAN-07) and 5 (PLAN-08..10) may be left to the contract in IV,
  // 15 ④ (PLAN-33) may not; SYS-65 (the eligibility terminal) binds the institution.
  EXPECT_EQ(RowOf(p, "PLAN-07").applicability, Applicability::kContractMayCover);
  EXPECT_EQ(RowOf(p, "PLAN-09").applicability, Applicability::kContractMayCover);
  EXPECT_EQ(RowOf(p, "PLAN-33").applicability, Applicability::kRequired);
  EXPECT_EQ(RowOf(p, "SYS-65").applicability, Applicability::kRequired);
}

TEST(PatternTest, EveryContractRowIsLeftToTheVendorInTwoAndFourOnly) {
  for (auto [location, staff] : std::vector<std::pair<SystemLocation, bool>>{
           {kOnPrem, true}, {kCloud, true}, {kOnPrem, false}, {kCloud, false}}) {
    PatternAnswers a{.location = location, .dedicated_system_staff = staff};
    PatternAssessment p = AssessPattern(a, Catalogue::Embedded(), GuidelineVersion::k7_0);
    const bool cloud = p.pattern == Pattern::kII || p.pattern == Pattern::kIV;
    for (const RowApplicability& r : p.rows) {
      bool contract_row =
          r.row->patterns_text.find("unless covered by contract") != std::string::npos;
      if (contract_row) {
        EXPECT_EQ(r.applicability,
                  cloud ? Applicability::kContractMayCover : Applicability::kRequired)
            << PatternName(p.pattern) << " " << r.row->id;
      }
      if (!cloud) {
        EXPECT_NE(r.applicability, Applicability::kContractMayCover) << r.row->id;
      }
    }
  }
}

// The first chapter a row cites, as ReadingFor reads it: "シス 17 ① [T]" -> シス, "17 ①".
// Rows whose chapter is not confirmed give nothing.
std::optional<std::pair<Volume, std::string>> FirstChapter(const std::string& cell) {
  Volume volume;
  if (cell.starts_with("企画 ")) {
    volume = Volume::kManagement;
  } else if (cell.starts_with("シス ")) {
    volume = Volume::kControl;
  } else {
    return std::nullopt;
  }
  size_t at = cell.find(' ') + 1;
  size_t end = cell.find_first_not_of("0123456789.", at);
  std::string section = cell.substr(at, end - at);
  if (section.empty()) return std::nullopt;
  // A 遵守事項 (①..⑳, three bytes E2 91 xx) right after the number, if any.
  if (end + 4 <= cell.size() && cell[end] == ' ' && cell[end + 1] == '\xE2' &&
      cell[end + 2] == '\x91') {
    section += " " + cell.substr(end + 1, 3);
  }
  return std::make_pair(volume, section);
}

// GUIDELINE marks some rows "II, IV unless covered by contract"; the overview
// table must agree that their chapter may be simplified in II and IV, or the
// row-level and chapter-level readings would contradict each other.
TEST(PatternTest, ContractRowsSitInChaptersTheOverviewLetsTwoAndFourSimplify) {
  size_t checked = 0;
  for (const Requirement& r : Catalogue::Embedded().rows()) {
    bool contract = std::ranges::any_of(
        r.patterns, [](const PatternClause& c) { return c.condition == Condition::kContract; });
    auto chapter = FirstChapter(r.chapter);
    if (!contract || !chapter) continue;
    ++checked;
    for (Pattern p : {Pattern::kII, Pattern::kIV}) {
      EXPECT_THAT(ReadingFor(p, PatternAnswers{}, chapter->first, chapter->second),
                  IsOkAndHolds(Reading::kMaySimplifyUnderContract))
          << r.id << " " << r.chapter;
    }
  }
  EXPECT_GE(checked, 10u);
}

TEST(PatternTest, ReadingListShowsWhatTwoAndFourMaySimplify) {
  auto simplified = [](Pattern p) {
    std::vector<std::string> out;
    for (const ChapterReading& c : ReadingList(p, PatternAnswers{})) {
      if (c.reading == Reading::kMaySimplifyUnderContract) out.push_back(c.chapters);
    }
    return out;
  };
  EXPECT_TRUE(simplified(Pattern::kI).empty());
  EXPECT_TRUE(simplified(Pattern::kIII).empty());
  EXPECT_THAT(
      simplified(Pattern::kII),
      ::testing::ElementsAre("4.4", "5", "15 (遵守事項 other than ④⑥⑦⑧⑬)", "other chapters"));
  EXPECT_EQ(simplified(Pattern::kII), simplified(Pattern::kIV));
  PatternAssessment three =
      AssessPattern({.location = kOnPrem}, Catalogue::Embedded(), GuidelineVersion::k6_0);
  EXPECT_EQ(three.pattern, Pattern::kIII);
  EXPECT_TRUE(three.read_tantousha_as_kikaku_kanrisha);
  EXPECT_FALSE(three.confirm_pattern_with_vendor);
}

}  // namespace
}  // namespace mamori::compliance

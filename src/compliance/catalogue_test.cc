// SPDX-License-Identifier: Apache-2.0
// Catalogue parser tests (issue 9): the embedded data loads, and a damaged
// catalogue is refused with an error that names the row and the field.

#include "compliance/catalogue.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compliance/internal/embedded_catalogue.h"
#include "core/testing/status_matchers.h"

namespace mamori::compliance {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A valid row; tests edit one field at a time with Replace().
std::string Row(std::string id = "GOV-01", std::string volume = "経営",
                std::string versions = R"(["6.0", "7.0"])") {
  return R"({"id": ")" + id + R"(", "volume": ")" + volume + R"(",
    "chapter": "経営 1.1 [T]", "sources": ["T"], "title_ja": "法令遵守",
    "text_en": "Keep within the law.", "text_ja": "法律を守る。",
    "patterns_text": "I, III; II, IV unless covered by contract",
    "patterns": [{"patterns": ["I", "III"]},
                 {"patterns": ["II", "IV"], "condition": "contract",
                  "condition_text": "unless covered by contract"}],
    "kind": "both", "modules": ["compliance"], "mamori": "`compliance`",
    "verification_text": "attest: statement, 12 months",
    "verification": [{"type": "attest", "text": "statement, 12 months", "expiry_months": 12}],
    "versions": )" +
         versions + R"(, "status": "active"})";
}

std::string ChecklistRow(std::string maps_to = R"(["GOV-01"])") {
  return R"({"id": "CHK-01", "volume": "checklist", "chapter": "前提 [M]", "sources": ["M"],
    "title_ja": "有無", "text_en": "Whether.", "text_ja": "有無を答える。",
    "patterns_text": "I–IV", "patterns": [{"patterns": ["I", "II", "III", "IV"]}],
    "kind": "organisational", "modules": [], "mamori": "x", "verification_text": "probe: answered",
    "verification": [{"type": "probe", "text": "answered"}], "maps_to": )" +
         maps_to + R"(, "checklist_forms": ["医療機関確認用"], "checklist_edition": "令和6年度版",
    "versions": ["6.0", "7.0"], "status": "active"})";
}

std::string CatalogueJson(const std::string& rows, const std::string& extra = "") {
  return R"({"format": "mamori-compliance-catalogue/1", "default_version": "6.0",)" + extra +
         R"( "guideline_versions": [{"id": "6.0", "title": "t", "published": "2023-05",
          "volumes": ["経営管理編"]}], "requirements": [)" +
         rows + "]}";
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void ExpectRejected(const std::string& json, const std::string& message_part) {
  EXPECT_THAT(Catalogue::Parse(json),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(message_part)));
}

TEST(CatalogueTest, EmbeddedDataIsTheCommittedFile) {
  std::string committed = ReadFile(std::string(MAMORI_TEST_SRCDIR) + "/data/catalogue.json");
  ASSERT_FALSE(committed.empty());
  EXPECT_EQ(internal::EmbeddedCatalogueJson(), committed);
}

TEST(CatalogueTest, EmbeddedCatalogueLoadsWithSixPointZeroAsDefault) {
  const compliance::Catalogue& cat = Catalogue::Embedded();
  EXPECT_FALSE(cat.rows().empty());
  EXPECT_EQ(cat.default_version(), GuidelineVersion::k6_0);
  const Requirement* sys42 = cat.Find("SYS-42");
  ASSERT_NE(sys42, nullptr);
  EXPECT_EQ(sys42->title_ja, "パスワード要件");
  EXPECT_EQ(sys42->kind, Kind::kTechnical);
  // Version watch: 7.0 moves the password figures into the text (SYS-42).
  EXPECT_TRUE(sys42->version_notes.contains(GuidelineVersion::k7_0));
}

TEST(CatalogueTest, AValidRowReadsBackEveryField) {
  auto cat = Catalogue::Parse(CatalogueJson(Row() + "," + ChecklistRow()));
  ASSERT_THAT(cat, IsOk());
  const Requirement* r = cat->Find("GOV-01");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->volume, Volume::kGovernance);
  EXPECT_THAT(r->sources, ElementsAre("T"));
  ASSERT_EQ(r->patterns.size(), 2u);
  EXPECT_THAT(r->patterns[1].patterns, ElementsAre(Pattern::kII, Pattern::kIV));
  EXPECT_EQ(r->patterns[1].condition, Condition::kContract);
  ASSERT_EQ(r->verification.size(), 1u);
  EXPECT_EQ(r->verification[0].type, VerificationType::kAttest);
  EXPECT_EQ(r->verification[0].expiry_months, 12);
  const Requirement* chk = cat->Find("CHK-01");
  ASSERT_NE(chk, nullptr);
  EXPECT_THAT(chk->maps_to, ElementsAre("GOV-01"));
  EXPECT_THAT(chk->checklist_forms, ElementsAre("医療機関確認用"));
  EXPECT_EQ(cat->Find("GOV-02"), nullptr);
}

TEST(CatalogueTest, RejectsAnUnknownFieldNamingTheRow) {
  ExpectRejected(CatalogueJson(Replace(Row(), R"("kind")", R"("colour": "red", "kind")")),
                 "requirements[0] (GOV-01): unknown field 'colour'");
  ExpectRejected(CatalogueJson(Row(), R"( "extra": 1,)"), "catalogue: unknown field 'extra'");
  ExpectRejected(
      CatalogueJson(Replace(Row(), R"("expiry_months": 12)", R"("expiry_months": 12, "why": "x")")),
      "unknown field 'why'");
}

TEST(CatalogueTest, RejectsADuplicateId) {
  ExpectRejected(CatalogueJson(Row() + "," + Row()), "requirements[1]: duplicate ID 'GOV-01'");
}

TEST(CatalogueTest, RejectsBadPatterns) {
  ExpectRejected(CatalogueJson(Replace(Row(), R"(["I", "III"])", R"(["I", "V"])")),
                 "unknown pattern 'V'");
  ExpectRejected(CatalogueJson(Replace(Row(), R"(["I", "III"])", R"(["I", "I"])")), "listed twice");
  ExpectRejected(CatalogueJson(Replace(Row(), R"(["I", "III"])", "[]")), "'patterns': empty");
  ExpectRejected(
      CatalogueJson(Replace(Row(), R"("condition": "contract")", R"("condition": "maybe")")),
      "unknown condition 'maybe'");
  ExpectRejected(CatalogueJson(Replace(Row(), R"("condition": "contract",)", "")), "go together");
}

TEST(CatalogueTest, RejectsMalformedIdsAndVolumes) {
  ExpectRejected(CatalogueJson(Row("GOV-1")), "malformed ID 'GOV-1'");
  ExpectRejected(CatalogueJson(Row("FOO-01")), "malformed ID");
  ExpectRejected(CatalogueJson(Row("GOV-01", "シス")), "does not match the ID");
  ExpectRejected(CatalogueJson(Row("GOV-01", "volume9")), "unknown volume");
}

TEST(CatalogueTest, RejectsEmptyTextsAndMissingSources) {
  ExpectRejected(CatalogueJson(Replace(Row(), "法律を守る。", "")), "'text_ja': empty");
  ExpectRejected(CatalogueJson(Replace(Row(), R"("sources": ["T"])", R"("sources": [])")),
                 "no source marker");
  ExpectRejected(CatalogueJson(Replace(Row(), R"("sources": ["T"])", R"("sources": ["X"])")),
                 "not a source marker");
}

TEST(CatalogueTest, RejectsBadVerification) {
  ExpectRejected(CatalogueJson(Replace(Row(), R"("type": "attest")", R"("type": "hope")")),
                 "unknown verification type");
  ExpectRejected(CatalogueJson(Replace(Row(), R"("type": "attest")", R"("type": "test")")),
                 "only attestations expire");
  ExpectRejected(CatalogueJson(Replace(Row(), R"("expiry_months": 12)", R"("expiry_months": 0)")),
                 "out of range");
  // PLAN-08: a row with neither a probe, a test nor an attestation is refused.
  std::string row = Row();
  size_t from = row.find(R"("verification": [)");
  size_t to = row.find(']', from);
  ExpectRejected(CatalogueJson(row.replace(from, to - from + 1, R"("verification": [])")),
                 "no verification");
}

TEST(CatalogueTest, RejectsChecklistMappingsThatDoNotResolve) {
  ExpectRejected(CatalogueJson(Row() + "," + ChecklistRow(R"(["GOV-02"])")),
                 "CHK-01: maps_to names unknown ID 'GOV-02'");
  ExpectRejected(
      CatalogueJson(Replace(Row(), R"("versions")", R"("maps_to": ["GOV-01"], "versions")")),
      "only checklist rows");
}

TEST(CatalogueTest, RejectsUnknownVersionsAndNotesForMissingVersions) {
  ExpectRejected(CatalogueJson(Row("GOV-01", "経営", R"(["6.1"])")), "unknown guideline version");
  ExpectRejected(CatalogueJson(Replace(Row("GOV-01", "経営", R"(["6.0"])"), R"("status")",
                                       R"("version_notes": {"7.0": "x"}, "status")")),
                 "note for a version the row is not in");
  ExpectRejected(CatalogueJson(Replace(Row(), R"("status": "active")", R"("status": "gone")")),
                 "expected active or withdrawn");
}

TEST(CatalogueTest, RejectsWhatIsNotACatalogue) {
  ExpectRejected("", "not valid JSON");
  ExpectRejected("[1, 2]", "expected a JSON object");
  ExpectRejected(Replace(CatalogueJson(Row()), "catalogue/1", "catalogue/2"), "expected mamori");
  ExpectRejected(CatalogueJson(""), "no rows");
  ExpectRejected(CatalogueJson("42"), "requirements[0]: expected an object");
}

TEST(CatalogueTest, FiltersByVersionWithoutChangingIds) {
  std::string withdrawn =
      Replace(Row("GOV-04"), R"("status": "active")", R"("status": "withdrawn")");
  auto cat =
      Catalogue::Parse(CatalogueJson(Row("GOV-01") + "," + Row("GOV-02", "経営", R"(["7.0"])") +
                                     "," + Row("GOV-03", "経営", R"(["6.0"])") + "," + withdrawn));
  ASSERT_THAT(cat, IsOk());
  auto ids = [](const std::vector<const Requirement*>& rows) {
    std::vector<std::string> out;
    for (const Requirement* r : rows) out.push_back(r->id);
    return out;
  };
  EXPECT_THAT(ids(cat->ForVersion(GuidelineVersion::k6_0)), ElementsAre("GOV-01", "GOV-03"));
  EXPECT_THAT(ids(cat->ForVersion(GuidelineVersion::k7_0)), ElementsAre("GOV-01", "GOV-02"));
  // Withdrawn rows keep their number and stay findable (GUIDELINE "IDs are stable").
  ASSERT_NE(cat->Find("GOV-04"), nullptr);
  EXPECT_TRUE(cat->Find("GOV-04")->withdrawn);
}

TEST(CatalogueTest, EmbeddedCatalogueKeepsEveryIdUnderSevenPointZero) {
  const compliance::Catalogue& cat = Catalogue::Embedded();
  auto v6 = cat.ForVersion(GuidelineVersion::k6_0);
  auto v7 = cat.ForVersion(GuidelineVersion::k7_0);
  ASSERT_EQ(v6.size(), v7.size());
  for (size_t i = 0; i < v6.size(); ++i) EXPECT_EQ(v6[i]->id, v7[i]->id);
}

TEST(CatalogueTest, PharmacyFormHoldsExactlyTheItemsChk40Maps) {
  const compliance::Catalogue& cat = Catalogue::Embedded();
  const Requirement* chk40 = cat.Find("CHK-40");
  ASSERT_NE(chk40, nullptr);
  ASSERT_FALSE(chk40->maps_to.empty());
  for (const Requirement& r : cat.rows()) {
    if (r.volume != Volume::kChecklist || r.id == "CHK-40") continue;
    bool mapped = std::ranges::find(chk40->maps_to, r.id) != chk40->maps_to.end();
    bool on_form = std::ranges::find(r.checklist_forms, "薬局確認用") != r.checklist_forms.end();
    EXPECT_EQ(mapped, on_form) << r.id;
  }
}

TEST(GuidelineVersionTest, ParsesTheTwoVersions) {
  EXPECT_THAT(ParseGuidelineVersion("6.0"), core::testing::IsOkAndHolds(GuidelineVersion::k6_0));
  EXPECT_THAT(ParseGuidelineVersion("7.0"), core::testing::IsOkAndHolds(GuidelineVersion::k7_0));
  EXPECT_THAT(ParseGuidelineVersion("6.1"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseGuidelineVersion(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(GuidelineVersionName(kDefaultGuidelineVersion), "6.0");
}

}  // namespace
}  // namespace mamori::compliance

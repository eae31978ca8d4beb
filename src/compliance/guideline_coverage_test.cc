// SPDX-License-Identifier: Apache-2.0
// Issue 9, "What must be true": every catalogue row of shared/GUIDELINE.md has
// a row in the data file; a missing or duplicate ID fails. This test reads
// GUIDELINE.md itself at test time (MAMORI_SHARED_DIR) with its own small
// table reader, independent of scripts/compliance/extract_catalogue.py, and
// compares it with the catalogue compiled into the binary.

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compliance/catalogue.h"
#include "compliance/internal/embedded_catalogue.h"

namespace mamori::compliance {
namespace {

std::string ReadGuideline() {
  std::ifstream in(std::string(MAMORI_SHARED_DIR) + "/GUIDELINE.md", std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      cells.push_back(std::regex_replace(cell, std::regex("^\\s+|\\s+$"), ""));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return cells;
}

// The table rows of GUIDELINE.md whose first cell is a requirement ID, in order.
struct GuidelineRow {
  std::string id;
  std::vector<std::string> cells;
};

const std::vector<GuidelineRow>& GuidelineRows() {
  static const std::vector<GuidelineRow> rows = [] {
    std::vector<GuidelineRow> out;
    std::istringstream in(ReadGuideline());
    const std::regex id_row(R"(^\| ((GOV|PLAN|SYS|EMG|CHK)-[0-9]{2}) \|)");
    std::smatch m;
    for (std::string line; std::getline(in, line);) {
      if (std::regex_search(line, m, id_row)) out.push_back({m[1], Cells(line)});
    }
    return out;
  }();
  return rows;
}

TEST(GuidelineCoverageTest, GuidelineIsReadable) {
  // Without this, an unreadable file would make every other test pass vacuously.
  ASSERT_GT(GuidelineRows().size(), 100u) << "read " << MAMORI_SHARED_DIR << "/GUIDELINE.md";
}

TEST(GuidelineCoverageTest, EveryGuidelineIdIsInTheCatalogue) {
  const Catalogue& cat = Catalogue::Embedded();
  for (const GuidelineRow& row : GuidelineRows()) {
    EXPECT_NE(cat.Find(row.id), nullptr)
        << row.id << " is in GUIDELINE.md but not in the data file";
  }
}

TEST(GuidelineCoverageTest, EveryCatalogueIdIsInTheGuideline) {
  std::set<std::string> ids;
  for (const GuidelineRow& row : GuidelineRows()) ids.insert(row.id);
  for (const Requirement& row : Catalogue::Embedded().rows()) {
    EXPECT_TRUE(ids.contains(row.id)) << row.id << " is in the data file but not in GUIDELINE.md";
  }
}

TEST(GuidelineCoverageTest, NoIdIsDuplicatedInGuidelineOrDataFile) {
  std::map<std::string, int> in_guideline;
  for (const GuidelineRow& row : GuidelineRows()) ++in_guideline[row.id];
  for (const auto& [id, n] : in_guideline) EXPECT_EQ(n, 1) << id << " appears " << n << " times";
  // Read the raw data file too, so a duplicate is caught even if the parser
  // stopped refusing duplicates.
  boost::json::value data = boost::json::parse(internal::EmbeddedCatalogueJson());
  std::map<std::string, int> in_data;
  for (const auto& row : data.at("requirements").as_array()) {
    ++in_data[std::string(row.at("id").as_string())];
  }
  for (const auto& [id, n] : in_data) EXPECT_EQ(n, 1) << id << " appears " << n << " times";
  EXPECT_EQ(in_data.size(), in_guideline.size());
}

TEST(GuidelineCoverageTest, KindAndTitleAgreeWithTheGuideline) {
  const std::regex title("「([^」]+)」");
  for (const GuidelineRow& g : GuidelineRows()) {
    const Requirement* r = Catalogue::Embedded().Find(g.id);
    if (r == nullptr || g.cells.size() < 7) continue;  // reported by the coverage tests
    const std::string kind = g.cells[4];
    EXPECT_EQ(kind, r->kind == Kind::kTechnical        ? "technical"
                    : r->kind == Kind::kOrganisational ? "organisational"
                                                       : "both")
        << g.id;
    EXPECT_EQ(r->patterns_text, g.cells[3]) << g.id;
    std::smatch m;
    const std::string& titled = g.id.starts_with("CHK") ? g.cells[1] : g.cells[2];
    if (std::regex_search(titled, m, title)) {
      EXPECT_EQ(r->title_ja, m[1]) << g.id;
    }
  }
}

// Japanese text: every row has a description of its own in Japanese (issue 9).
bool HasJapanese(const std::string& s) {
  // Hiragana, katakana and CJK ideographs are three-byte UTF-8 sequences led by E3..E9.
  for (unsigned char c : s) {
    if (c >= 0xE3 && c <= 0xE9) return true;
  }
  return false;
}

TEST(GuidelineCoverageTest, EveryRowHasJapaneseTextOfItsOwn) {
  const std::string guideline = ReadGuideline();
  std::set<std::string> seen;
  for (const Requirement& r : Catalogue::Embedded().rows()) {
    EXPECT_TRUE(HasJapanese(r.text_ja)) << r.id;
    EXPECT_TRUE(HasJapanese(r.title_ja)) << r.id;
    EXPECT_NE(r.text_ja, r.title_ja) << r.id << ": the description repeats the title";
    EXPECT_EQ(guideline.find(r.text_ja), std::string::npos) << r.id << ": copied, not written";
    EXPECT_TRUE(seen.insert(r.text_ja).second) << r.id << ": same text as another row";
  }
}

// Section 9 "Counts": rows per prefix and per kind, as GUIDELINE states them.
TEST(GuidelineCoverageTest, CountsMatchSectionNine) {
  std::istringstream in(ReadGuideline());
  const std::regex count_row(
      R"(^\| (GOV|PLAN|SYS|EMG|CHK) \| [^|]+ \| ([0-9]+) \| ([0-9]+) \| ([0-9]+) \| ([0-9]+) \|)");
  std::map<std::string, std::vector<int>> stated;
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, count_row)) {
      stated[m[1]] = {std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]), std::stoi(m[5])};
    }
  }
  ASSERT_EQ(stated.size(), 5u) << "the Counts table was not found";
  std::map<std::string, std::vector<int>> actual;
  for (const Requirement& r : Catalogue::Embedded().rows()) {
    auto& c = actual.try_emplace(r.id.substr(0, r.id.find('-')), std::vector<int>(4)).first->second;
    ++c[0];
    ++c[r.kind == Kind::kTechnical ? 1 : r.kind == Kind::kBoth ? 2 : 3];
  }
  EXPECT_EQ(actual, stated);
}

// Section 6 names the rows of the conditional chapters; they carry the condition.
std::set<std::string> IdsNamedBefore(const std::string& text, const std::string& label) {
  std::smatch m;
  const std::regex sentence("((?:[A-Z]+-[0-9]{2}(?:, | and )?)+) \\(" + label + "\\)");
  std::set<std::string> ids;
  if (!std::regex_search(text, m, sentence)) return ids;
  const std::string list = m[1];
  const std::regex id("[A-Z]+-[0-9]{2}");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), id); it != std::sregex_iterator();
       ++it) {
    ids.insert(it->str());
  }
  return ids;
}

std::set<std::string> IdsWithCondition(Condition condition) {
  std::set<std::string> ids;
  for (const Requirement& r : Catalogue::Embedded().rows()) {
    for (const PatternClause& c : r.patterns) {
      if (c.condition == condition) ids.insert(r.id);
    }
  }
  return ids;
}

TEST(GuidelineCoverageTest, ConditionalChapterRowsAreTheOnesSectionSixNames) {
  const std::string guideline = ReadGuideline();
  std::set<std::string> esig = IdsNamedBefore(guideline, "e-signature");
  std::set<std::string> scan = IdsNamedBefore(guideline, "digitisation");
  ASSERT_FALSE(esig.empty());
  ASSERT_FALSE(scan.empty());
  EXPECT_EQ(IdsWithCondition(Condition::kESignature), esig);
  EXPECT_EQ(IdsWithCondition(Condition::kPaperDigitisation), scan);
}

// SYS-01, second half: code, tests and READMEs cite only IDs that exist, so a
// typo or a renumbered row cannot leave a test guarding a requirement nobody
// can find. src/compliance is skipped: its own tests use made-up IDs on purpose.
TEST(GuidelineCoverageTest, SourcesCiteOnlyKnownIds) {
  namespace fs = std::filesystem;
  const fs::path src = fs::path(MAMORI_TEST_SRCDIR).parent_path();
  const std::regex id(R"(\b(GOV|PLAN|SYS|EMG|CHK)-[0-9]{2}\b)");
  size_t files = 0;
  for (const fs::path& root : {src, src.parent_path() / "tests"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const fs::path& path = entry.path();
      const std::string ext = path.extension().string();
      if (!entry.is_regular_file() ||
          (ext != ".cc" && ext != ".h" && ext != ".md" && ext != ".py")) {
        continue;
      }
      if (path.string().find("/src/compliance/") != std::string::npos) continue;
      ++files;
      std::ifstream in(path, std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      const std::string text = buffer.str();
      for (auto it = std::sregex_iterator(text.begin(), text.end(), id);
           it != std::sregex_iterator(); ++it) {
        EXPECT_NE(Catalogue::Embedded().Find(it->str()), nullptr)
            << path << " cites " << it->str() << ", which is not in the catalogue";
      }
    }
  }
  EXPECT_GT(files, 50u) << "scanned " << src;
}

}  // namespace
}  // namespace mamori::compliance
